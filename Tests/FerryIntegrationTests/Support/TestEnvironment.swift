import Foundation

/// What the integration tests need from the machine: root, and the plugin binary to test.
enum TestEnvironment {
    /// The tests create network namespaces, which needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN).
    static let isRoot = geteuid() == 0

    /// The netavark-compatible binary under test: `FERRY_TEST_BINARY` when set (for example
    /// /usr/lib/podman/netavark, to check the tests against the reference), else the built
    /// `ferry` next to the test bundle or in the package's .build/debug.
    static let binary: String = {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["FERRY_TEST_BINARY"], !chosen.isEmpty { return chosen }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0])
            .deletingLastPathComponent()
        var candidates = [bundleDirectory.appendingPathComponent("ferry").path]
        // Support/ → FerryIntegrationTests/ → Tests/ → the package root.
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/ferry").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? candidates[candidates.count - 1]
    }()

    /// True when the binary under test is Debian's netavark, not Ferry.
    static var testsReference: Bool { binary.hasSuffix("netavark") }

    /// The echo program used by the traffic checks.
    static let echoScript = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/echo.py").path
}

/// A step of the harness that failed, with what the command printed.
struct LabError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
