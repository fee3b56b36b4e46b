import Testing

@Test func placeholderFerryTOMLTests() {
    #expect(Bool(true))
}
