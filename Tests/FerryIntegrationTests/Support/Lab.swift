import Foundation

/// Throwaway namespaces for one test: a fake host whose default routes leave through a veth
/// uplink into a dead-end namespace, and containers for the plugin to wire up.
///
/// ```
/// fy-<id>-up          fy-<id>-host                           fy-<id>-ctrN
/// fyup1 10.250.0.1 ── fyup0 10.250.0.2 (MTU 1400)  [bridges]  ── eth0 ...
///       fd00:250::1         fd00:250::2, default routes via the left side
/// ```
///
/// Names carry six random hex digits, so tests running in parallel never share a namespace,
/// a bridge name or a state directory. The test process never enters a namespace: every
/// command runs in a child through `ip -n` or `ip netns exec`.
struct Lab: Sendable {
    static let uplink = "fyup0"
    static let uplinkMTU = 1400
    static let uplinkIPv4 = "10.250.0.2"
    static let upstreamIPv4 = "10.250.0.1"
    static let uplinkIPv6 = "fd00:250::2"
    static let upstreamIPv6 = "fd00:250::1"

    /// Six hex digits, unique per test.
    let id: String
    let containerCount: Int
    /// The plugin's `--config` directory (its lock and state live there).
    let configDirectory: String

    var host: String { "fy-\(id)-host" }
    var upstream: String { "fy-\(id)-up" }
    /// The container namespaces, 1-based: `container(1)` is `fy-<id>-ctr1`.
    func container(_ number: Int) -> String { "fy-\(id)-ctr\(number)" }
    var containers: [String] { (1...max(containerCount, 1)).map(container) }
    /// A bridge name unique to this test, at most 15 bytes.
    func bridge(_ number: Int = 0) -> String { "fy\(id)br\(number)" }
    func namespacePath(_ namespace: String) -> String { "/run/netns/\(namespace)" }

    /// `ip netns add` mounts /run/netns on first use; serialise it between parallel tests.
    private static let namespaceLock = NSLock()

    static func create(containers: Int) throws -> Lab {
        let id = String(format: "%06x", UInt32.random(in: 0..<0x100_0000))
        let config = NSTemporaryDirectory() + "fy-\(id)-config"
        try FileManager.default.createDirectory(
            atPath: config, withIntermediateDirectories: true)
        let lab = Lab(id: id, containerCount: containers, configDirectory: config)
        do {
            try lab.build()
        } catch {
            lab.destroy()
            throw error
        }
        return lab
    }

    private func build() throws {
        try Self.namespaceLock.withLock {
            for namespace in [host, upstream] + containers {
                try Self.check(["ip", "netns", "add", namespace])
            }
        }

        // The uplink: no link-local addresses and no DAD, so the baseline state is stable.
        let up = Self.uplink
        let peer = "fyup1"
        try ip(host, "link", "set", "lo", "up")
        try ip(host, "link", "add", up, "type", "veth", "peer", "name", peer, "netns", upstream)
        try ip(host, "link", "set", up, "addrgenmode", "none", "mtu", "\(Self.uplinkMTU)", "up")
        try ip(upstream, "link", "set", "lo", "up")
        try ip(upstream, "link", "set", peer, "addrgenmode", "none", "mtu", "\(Self.uplinkMTU)")
        try ip(upstream, "link", "set", peer, "up")

        try ip(host, "addr", "add", "\(Self.uplinkIPv4)/24", "dev", up)
        try ip(host, "-6", "addr", "add", "\(Self.uplinkIPv6)/64", "dev", up, "nodad")
        try ip(upstream, "addr", "add", "\(Self.upstreamIPv4)/24", "dev", peer)
        try ip(upstream, "-6", "addr", "add", "\(Self.upstreamIPv6)/64", "dev", peer, "nodad")
        try ip(host, "route", "add", "default", "via", Self.upstreamIPv4)
        try ip(host, "-6", "route", "add", "default", "via", Self.upstreamIPv6)

        // A container host forwards; set it now so the plugin's sysctls change no routes.
        try Self.check([
            "ip", "netns", "exec", host, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1",
            "net.ipv6.conf.all.forwarding=1",
        ])
    }

    /// Deletes every namespace (and so every link in them) and the state directory.
    func destroy() {
        Self.namespaceLock.withLock {
            for namespace in containers + [host, upstream] {
                _ = try? Child(["ip", "netns", "del", namespace]).wait()
            }
        }
        try? FileManager.default.removeItem(atPath: configDirectory)
    }

    /// Deletes one namespace early, as a container runtime does when a container dies.
    func deleteNamespace(_ namespace: String) throws {
        _ = try Self.namespaceLock.withLock { try Self.check(["ip", "netns", "del", namespace]) }
    }

    /// Runs `ip -n NAMESPACE ARGS...` and returns its stdout; a failure throws.
    @discardableResult
    func ip(_ namespace: String, _ arguments: String...) throws -> String {
        try Self.check(["ip", "-n", namespace] + arguments)
    }

    @discardableResult
    static func check(_ arguments: [String]) throws -> String {
        let result = try Child(arguments).wait()
        guard result.succeeded else {
            throw LabError(
                "\(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// The plugin's command line, run inside the fake host as Podman runs it on a real one.
    func pluginArguments(_ arguments: [String]) -> [String] {
        ["ip", "netns", "exec", host, TestEnvironment.binary] + arguments
    }

    /// Starts `setup` or `teardown` for one container namespace in the background.
    func start(
        _ verb: String, _ namespace: String, spec: String, environment: [String: String] = [:],
        options: [String] = []
    ) throws -> Child {
        let arguments = ["--config", configDirectory, "--rootless=false"] + options + [verb]
        // env(1) execs the plugin, so a signal to the child still reaches it.
        let settings = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let command = pluginArguments(arguments + [namespacePath(namespace)])
        let withEnvironment =
            settings.isEmpty
            ? command : Array(command.prefix(4)) + ["env"] + settings + command.dropFirst(4)
        return try Child(withEnvironment, input: spec)
    }

    /// Runs `setup` or `teardown` to completion.
    func run(_ verb: String, _ namespace: String, spec: String) throws -> ChildResult {
        try start(verb, namespace, spec: spec).wait()
    }
}

/// Runs `body` with a fresh lab and always deletes it afterwards, even when the body throws
/// or an expectation fails.
func withLab(containers: Int = 1, _ body: (Lab) throws -> Void) throws {
    guard FileManager.default.isExecutableFile(atPath: TestEnvironment.binary) else {
        throw LabError(
            "no plugin binary at \(TestEnvironment.binary): run `swift build` first or set "
                + "FERRY_TEST_BINARY")
    }
    let lab = try Lab.create(containers: containers)
    defer { lab.destroy() }
    try body(lab)
}
