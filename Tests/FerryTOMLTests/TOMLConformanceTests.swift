import FerryTestSupport
import Foundation
import Testing

/// Runs every toml-test 1.0 case through the built `toml-decoder`, as the suite intends.
@Test func tomlTestSuite1_0() throws {
    let data = toml10DataDirectory()
    let list = data.appending(path: "tests/files-toml-1.0.0")
    try #require(
        FileManager.default.fileExists(atPath: list.path),
        "toml-test data not found: no \(list.path) (set FERRY_SHARED to the shared folder)"
    )
    let decoder = try #require(decoderExecutable(), "toml-decoder binary not found next to tests")
    let cases = try String(contentsOf: list, encoding: .utf8).split(whereSeparator: \.isNewline)
        .map(String.init)
        .filter { $0.hasSuffix(".toml") }
    #expect(cases.count > 600, "the 1.0 list looks truncated: \(cases.count) cases")

    var passed = 0
    var failures: [String] = []
    for name in cases {
        let input = data.appending(path: "tests/\(name)")
        let result = try runDecoder(decoder, input: input)
        if let problem = check(name, result: result, data: data) {
            failures.append("\(name): \(problem)")
        } else {
            passed += 1
        }
    }

    print("toml-test 1.0: \(passed) passed, \(failures.count) failed")
    for failure in failures { print("  FAIL \(failure)") }
    #expect(failures.isEmpty, "toml-test 1.0: \(failures.count) failed")
}

/// The suite's data under the shared folder.
private func toml10DataDirectory() -> URL {
    TestPaths.shared.appending(path: "toml-test")
}

/// The built `toml-decoder`.
private func decoderExecutable() -> URL? {
    TestPaths.product("toml-decoder")
}

private struct DecoderResult {
    var status: Int32
    var output: Data
    var errorText: String
}

private func runDecoder(_ decoder: URL, input: URL) throws -> DecoderResult {
    let process = Process()
    process.executableURL = decoder
    process.standardInput = try FileHandle(forReadingFrom: input)
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()

    // Read both pipes to the end before waiting, so a large output cannot block the child.
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return DecoderResult(
        status: process.terminationStatus,
        output: outputData,
        errorText: String(decoding: errorData, as: UTF8.self)
    )
}

/// Nil when the case passed, else why it failed.
private func check(_ name: String, result: DecoderResult, data: URL) -> String? {
    guard name.hasPrefix("valid/") else {
        return result.status == 0 ? "invalid document was accepted" : nil
    }
    guard result.status == 0 else { return "rejected: \(result.errorText)" }
    let expectedURL = data.appending(path: "tests/\(name.dropLast(5)).json")
    guard let expectedData = try? Data(contentsOf: expectedURL),
        let expected = try? JSONSerialization.jsonObject(with: expectedData),
        let actual = try? JSONSerialization.jsonObject(with: result.output)
    else { return "expected or actual output is not JSON" }
    return TaggedJSONComparison.equal(expected, actual) ? nil : "output differs from expected"
}
