import Foundation
import Testing

/// The real Podman 4.3.1 <-> netavark 1.4 captures in the shared directory.
///
/// The directory is `$FERRY_SHARED`, else `shared` next to the package root, else next to
/// its parent (for worktrees under /work/wt).
enum SharedCaptures {
    struct Missing: Error, CustomStringConvertible {
        let tried: [String]
        var description: String {
            "podman captures not found (set FERRY_SHARED); tried: "
                + tried.joined(separator: ", ")
        }
    }

    static func directory() throws -> URL {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates: [URL] = []
        if let shared = ProcessInfo.processInfo.environment["FERRY_SHARED"], !shared.isEmpty {
            candidates.append(URL(fileURLWithPath: shared))
        }
        candidates.append(packageRoot.deletingLastPathComponent().appendingPathComponent("shared"))
        candidates.append(
            packageRoot.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("shared"))
        let captures = candidates.map { $0.appendingPathComponent("podman-captures") }
        for directory in captures
        where FileManager.default.fileExists(
            atPath: directory.appendingPathComponent("README.md").path)
        {
            return directory
        }
        throw Missing(tried: captures.map(\.path))
    }

    /// Capture file names ending in `suffix`, sorted; fails if there are none.
    static func files(endingIn suffix: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: try directory().path)
            .filter { $0.hasSuffix(suffix) }.sorted()
        try #require(!names.isEmpty, "no capture files ending in \(suffix)")
        return names
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: try directory().appendingPathComponent(name))
    }
}

/// Whether two JSON documents hold the same value, whatever their key order and spacing.
func sameJSON(_ first: Data, _ second: Data) throws -> Bool {
    let left = try JSONSerialization.jsonObject(with: first) as? NSDictionary
    let right = try JSONSerialization.jsonObject(with: second) as? NSDictionary
    guard let left, let right else { return false }
    return left.isEqual(right)
}
