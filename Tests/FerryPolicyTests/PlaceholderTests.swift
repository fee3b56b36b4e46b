import Testing

@Test func placeholderFerryPolicyTests() {
    #expect(Bool(true))
}
