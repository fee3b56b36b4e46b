import FerrySystem
import Foundation

/// A network namespace made for one test with `ip netns add`, under a unique name so
/// tests running in parallel never meet. The test process itself never enters it: work
/// inside runs in children through `ip netns exec`.
public final class TestNamespace: @unchecked Sendable {
    public let name: String

    public var path: String { "/run/netns/\(name)" }

    public init(_ label: String) throws {
        name = "fy\(TestNamespace.uniqueTag())-\(label)"
        let result = try Command.run(["ip", "netns", "add", name])
        guard result.succeeded else {
            throw MessageError("ip netns add \(name): \(result.stderr)")
        }
        try run(["ip", "link", "set", "lo", "up"])
    }

    /// Deletes the namespace; safe to call twice.
    public func remove() {
        _ = try? Command.run(["ip", "netns", "del", name])
    }

    deinit { remove() }

    /// Runs a command inside the namespace and returns what it printed.
    @discardableResult
    public func exec(_ arguments: [String], input: String? = nil) throws -> CommandResult {
        try Command.run(["ip", "netns", "exec", name] + arguments, input: input)
    }

    /// Runs a command inside the namespace and fails unless it succeeds.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        let result = try exec(arguments)
        guard result.succeeded else {
            throw MessageError(
                "\(arguments.joined(separator: " ")) in \(name) failed: \(result.stderr)")
        }
        return result.stdout
    }

    /// `ip -j OBJECT show` in the namespace, parsed.
    public func ipJSON(_ object: String) throws -> [[String: Any]] {
        let text = try run(["ip", "-j", object, "show"])
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return parsed as? [[String: Any]] ?? []
    }

    /// Six hex digits; with the process id folded in, names stay unique across runs.
    static func uniqueTag() -> String {
        let value = UInt32.random(in: 0..<(1 << 24)) ^ UInt32(truncatingIfNeeded: getpid())
        let digits = String(value & 0xFF_FFFF, radix: 16)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }
}
