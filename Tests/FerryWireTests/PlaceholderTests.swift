import Testing

@Test func placeholderFerryWireTests() {
    #expect(Bool(true))
}
