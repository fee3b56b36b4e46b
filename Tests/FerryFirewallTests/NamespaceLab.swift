import FerrySystem
import Foundation
import Testing

/// Root-only tests need to create network namespaces; they say so when they skip.
let isRoot = getuid() == 0

/// Network namespaces and background processes made for one test, all removed by
/// `cleanUp()`. Nothing here enters a namespace in the test process: every command runs
/// in a child under `ip netns exec`.
final class NamespaceLab {
    let tag: String
    let config: String
    private var namespaces: [String] = []
    private var servers: [Process] = []

    static let packageRoot = URL(filePath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A built executable of this package, e.g. `nft-probe` or `ferry`.
    static func executable(_ name: String) throws -> String {
        let path = packageRoot.appending(path: ".build/debug/\(name)").path()
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw MessageError("\(path) is missing: run swift build first")
        }
        return path
    }

    init() {
        tag = "fyft\(UInt32.random(in: 0..<0xFFFFFF))"
        config = FileManager.default.temporaryDirectory.appending(path: "\(tag)-config").path()
    }

    /// Creates a namespace named `<tag>-<suffix>` with its loopback up.
    func namespace(_ suffix: String) throws -> String {
        let name = "\(tag)-\(suffix)"
        try must(["ip", "netns", "add", name])
        namespaces.append(name)
        try run(name, ["ip", "link", "set", "lo", "up"])
        return name
    }

    /// Runs a command inside a namespace and returns its result, whatever the status.
    func exec(_ namespace: String, _ arguments: [String], input: String? = nil) throws
        -> CommandResult
    {
        try Command.run(["ip", "netns", "exec", namespace] + arguments, input: input)
    }

    /// Runs a command inside a namespace and fails when it fails; returns its stdout.
    @discardableResult
    func run(_ namespace: String, _ arguments: [String], input: String? = nil) throws -> String {
        try must(["ip", "netns", "exec", namespace] + arguments, input: input)
    }

    @discardableResult
    func must(_ arguments: [String], input: String? = nil) throws -> String {
        let result = try Command.run(arguments, input: input)
        guard result.succeeded else {
            throw MessageError(
                "\(arguments.joined(separator: " ")) failed (\(result.status)): "
                    + result.stderr + result.stdout)
        }
        return result.stdout
    }

    /// Starts a long-running command in a namespace; it is killed by `cleanUp()`.
    func start(_ namespace: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        servers.append(process)
    }

    func cleanUp() {
        for server in servers {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        for name in namespaces.reversed() {
            _ = try? Command.run(["ip", "netns", "del", name])
        }
        try? FileManager.default.removeItem(atPath: config)
    }

    /// The rules of `table inet ferry` in a namespace, by chain, each rule as JSON text.
    func ferryChains(_ namespace: String) throws -> [String: [String]] {
        let text = try run(namespace, ["nft", "-j", "list", "ruleset"])
        let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let items = root?["nftables"] as? [[String: Any]] ?? []
        var chains: [String: [String]] = [:]
        for item in items {
            if let chain = item["chain"] as? [String: Any], chain["table"] as? String == "ferry",
                let name = chain["name"] as? String
            {
                chains[name, default: []] += []
            }
            if let rule = item["rule"] as? [String: Any], rule["table"] as? String == "ferry",
                let name = rule["chain"] as? String
            {
                let data = try JSONSerialization.data(
                    withJSONObject: rule["expr"] ?? [], options: [.sortedKeys])
                chains[name, default: []].append(String(decoding: data, as: UTF8.self))
            }
        }
        return chains
    }
}
