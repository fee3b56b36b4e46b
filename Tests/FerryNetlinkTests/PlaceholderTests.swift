import Testing

@Test func placeholderFerryNetlinkTests() {
    #expect(Bool(true))
}
