import FerryTestSupport
import Foundation
import Testing

/// The real Podman 4.3.1 <-> netavark 1.4 captures in the shared directory.
enum SharedCaptures {
    static func directory() throws -> URL {
        let directory = TestPaths.shared.appendingPathComponent("podman-captures")
        try #require(
            FileManager.default.fileExists(
                atPath: directory.appendingPathComponent("README.md").path),
            "podman captures not found at \(directory.path) (set FERRY_SHARED)")
        return directory
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
