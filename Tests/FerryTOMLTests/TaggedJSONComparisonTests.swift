import Testing

/// The conformance test is only as good as its comparison, so pin what it treats as equal.
@Test func comparisonFollowsTheSuiteRules() {
    func tagged(_ type: String, _ value: String) -> [String: Any] {
        ["type": type, "value": value]
    }
    func same(_ type: String, _ left: String, _ right: String) -> Bool {
        TaggedJSONComparison.equal(["k": tagged(type, left)], ["k": tagged(type, right)])
    }

    #expect(same("datetime", "1987-07-05T17:45:56.600Z", "1987-07-05 17:45:56.6+00:00"))
    #expect(same("datetime", "1987-07-05T17:45:56Z", "1987-07-06T01:45:56+08:00"))
    #expect(!same("datetime", "1987-07-05T17:45:56Z", "1987-07-05T17:45:56.1Z"))
    #expect(!same("datetime-local", "1987-07-05T17:45:56", "1987-07-05T17:45:57"))
    #expect(same("integer", "+0", "0"))
    #expect(!same("integer", "1", "2"))
    #expect(same("float", "1e3", "1000.0"))
    #expect(same("float", "-nan", "nan"))
    #expect(!same("float", "inf", "-inf"))
    #expect(!same("string", "a", "a "))
    #expect(
        !TaggedJSONComparison.equal(["k": tagged("string", "1")], ["k": tagged("integer", "1")]))
    #expect(!TaggedJSONComparison.equal(["a": [String: Any]()], ["b": [String: Any]()]))
    #expect(!TaggedJSONComparison.equal([tagged("bool", "true")], [Any]()))
}
