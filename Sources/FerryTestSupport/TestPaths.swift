import Foundation

/// Where tests find the package, the built executables and the shared fixtures.
public enum TestPaths {
    /// The folder holding Package.swift, walking up from this source file.
    public static let packageRoot: URL = {
        var directory = URL(filePath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let manifest = directory.appending(path: "Package.swift").path
            if FileManager.default.fileExists(atPath: manifest) { return directory }
            directory = directory.deletingLastPathComponent()
        }
        preconditionFailure("no Package.swift above \(#filePath)")
    }()

    /// `$FERRY_SHARED`, else `<package root>/../shared` (where CI and the workplace put it).
    public static var shared: URL {
        if let shared = ProcessInfo.processInfo.environment["FERRY_SHARED"] {
            return URL(filePath: shared)
        }
        return packageRoot.deletingLastPathComponent().appending(path: "shared")
    }

    /// A built executable of this package: next to the running test binary, else in
    /// .build/debug. Nil when it is not built.
    public static func product(_ name: String) -> URL? {
        var candidates: [URL] = []
        let running = URL(filePath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(running.deletingLastPathComponent())
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent())
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(packageRoot.appending(path: ".build/debug"))
        return candidates.map { $0.appending(path: name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Whether the tests run as root, which the namespace tests need.
    public static var isRoot: Bool { geteuid() == 0 }
}
