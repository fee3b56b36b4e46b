import FerryPolicy
import Foundation

/// A temporary directory standing in for the filesystem root, with files written into it.
/// Each test makes its own, so tests can run in parallel.
final class ConfigTree {
    let root: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        root = base + "/ferry-policy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Writes `text` at `path` under the root (leading "/" optional); returns the full path.
    @discardableResult
    func write(_ path: String, _ text: String) throws -> String {
        let full = root + (path.hasPrefix("/") ? path : "/" + path)
        let directory = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    /// A file that sets one [network] key to a string, to trace which file won.
    @discardableResult
    func mark(_ path: String, _ value: String) throws -> String {
        try write(path, "[network]\ndefault_subnet = \"\(value)\"\n")
    }

    func mkdir(_ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: root + path, withIntermediateDirectories: true)
    }

    /// A loader over this tree, with HOME inside it unless the environment says otherwise.
    func loader(
        environment: [String: String] = [:], uid: UInt32 = 1000, rootless: Bool = false
    ) -> ConfigLoader {
        var environment = environment
        if environment["HOME"] == nil { environment["HOME"] = root + "/home/user" }
        return ConfigLoader(root: root, environment: environment, uid: uid, rootless: rootless)
    }

    /// The read files relative to the root, for short expectations.
    func relative(_ files: [String]) -> [String] {
        files.map { $0.hasPrefix(root) ? String($0.dropFirst(root.count)) : $0 }
    }
}
