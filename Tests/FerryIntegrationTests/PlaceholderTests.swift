import Testing

@Test func placeholderFerryIntegrationTests() {
    #expect(Bool(true))
}
