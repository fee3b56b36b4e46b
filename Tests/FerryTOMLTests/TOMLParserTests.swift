import FerryTOML
import Testing

@Test func errorNamesFileLineAndColumn() {
    let text = "a = 1\nb = \"ok\"\nc = 1__2\n"
    #expect(throws: TOMLError(file: "x.conf", line: 3, column: 5, message: "invalid number '1__2'"))
    {
        try TOML.parse(text, file: "x.conf")
    }
}

@Test func errorColumnCountsCharactersNotBytes() throws {
    do {
        _ = try TOML.parse("key = \"é\" x\n", file: "f")
        Issue.record("trailing junk was accepted")
    } catch {
        #expect(error.line == 1)
        #expect(error.column == 11)
        #expect(error.description.hasPrefix("f:1:11: "))
    }
}

@Test func duplicateTableIsRejectedAtItsHeader() {
    do {
        _ = try TOML.parse("[a]\nx = 1\n\n  [a]\n", file: "dup.toml")
        Issue.record("duplicate table was accepted")
    } catch {
        #expect((error.line, error.column) == (4, 3))
    }
}

@Test func keysKeepDocumentOrder() throws {
    let table = try TOML.parse("zeta = 1\nalpha = 2\n[middle]\nb = 1\na = 2\n", file: "t")
    #expect(table.keys == ["zeta", "alpha", "middle"])
    guard case .table(let middle) = table["middle"] else {
        Issue.record("middle is not a table")
        return
    }
    #expect(middle.entries.map(\.key) == ["b", "a"])
}

@Test func inlineTableInsideAnArray() throws {
    let table = try TOML.parse("points = [{x = 1, y = 2}, {x = 3}]\n", file: "t")
    guard case .array(let points) = table["points"], points.count == 2,
        case .table(let first) = points[0]
    else {
        Issue.record("points is not an array of tables: \(String(describing: table["points"]))")
        return
    }
    #expect(first["x"] == .integer(1))
    #expect(first["y"] == .integer(2))
}

@Test func appendInlineTableInAStringArray() throws {
    let text =
        "[containers]\ndefault_sysctls = [\"net.ipv4.ping_group_range=0 0\", {append=true}]\n"
    let table = try TOML.parse(text, file: "containers.conf")
    guard case .table(let containers) = table["containers"],
        case .array(let values) = containers["default_sysctls"]
    else {
        Issue.record("default_sysctls is not an array")
        return
    }
    #expect(values.count == 2)
    #expect(values.first == .string("net.ipv4.ping_group_range=0 0"))
    var appendTable = TOMLTable()
    appendTable["append"] = .boolean(true)
    #expect(values.last == .table(appendTable))
}

@Test func dateTimesKeepKindAndFields() throws {
    let table = try TOML.parse("when = 1979-05-27 07:32:00.5-07:00\nday = 2024-02-29\n")
    guard case .dateTime(let when) = table["when"], case .dateTime(let day) = table["day"] else {
        Issue.record("date-times not parsed")
        return
    }
    #expect(when.kind == .offsetDateTime)
    #expect(when.text == "1979-05-27T07:32:00.5-07:00")
    #expect(when.offsetMinutes == -420)
    #expect(when.nanosecond == 500_000_000)
    #expect(day.kind == .localDate)
    #expect(day.day == 29)
}

@Test func invalidUTF8IsRejectedWithItsPosition() {
    let bytes: [UInt8] = Array("a = \"".utf8) + [0xC0, 0xAF] + Array("\"\n".utf8)
    do {
        _ = try TOML.parse(bytes: bytes, file: "bin")
        Issue.record("overlong UTF-8 was accepted")
    } catch {
        #expect((error.line, error.column) == (1, 6))
    }
}

@Test func limitsAreErrorsNotCrashes() {
    let deep =
        "a = " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    #expect(throws: TOMLError.self) { try TOML.parse(deep) }
    #expect(throws: TOMLError.self) { try TOML.parse("a = 1e400\n") }
    #expect(throws: TOMLError.self) { try TOML.parse("a = 9223372036854775808\n") }
    #expect(throws: TOMLError.self) { try TOML.parse("a = 2023-02-29\n") }
}

@Test func dottedKeysAndHeadersFollowTheRedefinitionRules() throws {
    let fruit = "[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n"
    let table = try TOML.parse(fruit)
    guard case .table(let fruitTable) = table["fruit"], case .table(let apple) = fruitTable["apple"]
    else {
        Issue.record("fruit.apple is not a table")
        return
    }
    #expect(apple.keys == ["color", "texture"])
    #expect(throws: TOMLError.self) { try TOML.parse(fruit + "[fruit.apple]\n") }
    #expect(throws: TOMLError.self) { try TOML.parse("a = {b = 1}\n[a.c]\n") }
    #expect(throws: TOMLError.self) { try TOML.parse("a = [1]\n[[a]]\n") }
}
