import FerrySystem
import Foundation

/// The world one engine test runs in, all of it made for that test and removed afterwards:
///
///     [upstream]          [host] (the engine runs here, as ferrytest)    [remote]
///     peer0 192.0.2.1 --- eth0 192.0.2.10/24     remote0 198.51.100.1 --- eth0 198.51.100.2
///       2001:db8:1::1       2001:db8:1::10/64       2001:db8:2::1           2001:db8:2::2
///       fe80::1             default via 192.0.2.1 / fe80::1                 default via host
///     (a dead end)        fake resolver on 127.0.0.1:53 and [::1]:53
///
/// plus, on demand, rootless containers held by the test user (`startContainer()`).
/// Root only; the machine-wide pieces come from `TestMachine`.
public final class EngineTestEnvironment: @unchecked Sendable {
    public static let uplink = "eth0"
    public static let hostIPv4 = "192.0.2.10"
    public static let gatewayIPv4 = "192.0.2.1"
    public static let hostIPv6 = "2001:db8:1::10"
    public static let upstreamIPv6 = "2001:db8:1::1"
    public static let gatewayIPv6 = "fe80::1"
    public static let hostRemoteIPv4 = "198.51.100.1"
    public static let remoteIPv4 = "198.51.100.2"
    public static let hostRemoteIPv6 = "2001:db8:2::1"
    public static let remoteIPv6 = "2001:db8:2::2"
    /// What the fake resolver answers for every A and AAAA query.
    public static let resolvedIPv4 = "203.0.113.7"
    public static let resolvedIPv6 = "2001:db8:ff::7"

    public let user: TestMachine.User
    public let host: TestNamespace
    public let upstream: TestNamespace
    public let remote: TestNamespace
    /// A directory of this test's files, readable by all; `runDirectory` inside it is the
    /// test user's (pid files and the like).
    public let directory: String
    public let runDirectory: String
    /// The resolv.conf the engine is pointed at (`--resolv-conf`), naming the fake resolver.
    public let resolvConf: String

    private var processes: [Process] = []
    private var containers: [RootlessContainer] = []

    public init() throws {
        user = try TestMachine.prepare()
        host = try TestNamespace("host")
        upstream = try TestNamespace("up")
        remote = try TestNamespace("rem")
        directory = NSTemporaryDirectory() + "/ferry-engine-\(host.name)"
        runDirectory = directory + "/run"
        resolvConf = directory + "/resolv.conf"
        do {
            try makeDirectories()
            try wireUplink()
            try wireRemote()
            try host.run(["sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
            try host.run(["sysctl", "-qw", "net.ipv4.ip_forward=1"])
            try host.run(["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])
            try startResolver()
        } catch {
            remove()
            throw error
        }
    }

    private func makeDirectories() throws {
        try FileSystem.makeDirectories(runDirectory)
        chmod(directory, 0o755)
        chown(runDirectory, user.uid, user.gid)
        try FileSystem.writeAtomically(resolvConf, "nameserver 127.0.0.1\nnameserver ::1\n")
    }

    /// The host's uplink, with its default routes via the dead-end upstream namespace.
    private func wireUplink() throws {
        let uplink = Self.uplink
        try host.run([
            "ip", "link", "add", uplink, "type", "veth", "peer", "name", "peer0",
            "netns", upstream.name,
        ])
        try upstream.run(["ip", "addr", "add", "\(Self.gatewayIPv4)/24", "dev", "peer0"])
        try upstream.run(["ip", "addr", "add", "\(Self.upstreamIPv6)/64", "dev", "peer0", "nodad"])
        try upstream.run(["ip", "addr", "add", "\(Self.gatewayIPv6)/64", "dev", "peer0", "nodad"])
        try upstream.run(["ip", "link", "set", "peer0", "up"])
        try host.run(["ip", "addr", "add", "\(Self.hostIPv4)/24", "dev", uplink])
        try host.run(["ip", "addr", "add", "\(Self.hostIPv6)/64", "dev", uplink, "nodad"])
        try host.run(["ip", "link", "set", uplink, "up"])
        try host.run(["ip", "route", "add", "default", "via", Self.gatewayIPv4, "dev", uplink])
        try host.run([
            "ip", "-6", "route", "add", "default", "via", Self.gatewayIPv6, "dev", uplink,
        ])
    }

    /// The remote client, routed through the host.
    private func wireRemote() throws {
        try host.run([
            "ip", "link", "add", "remote0", "type", "veth", "peer", "name", "eth0",
            "netns", remote.name,
        ])
        try host.run(["ip", "addr", "add", "\(Self.hostRemoteIPv4)/24", "dev", "remote0"])
        try host.run(["ip", "addr", "add", "\(Self.hostRemoteIPv6)/64", "dev", "remote0", "nodad"])
        try host.run(["ip", "link", "set", "remote0", "up"])
        try remote.run(["ip", "addr", "add", "\(Self.remoteIPv4)/24", "dev", "eth0"])
        try remote.run(["ip", "addr", "add", "\(Self.remoteIPv6)/64", "dev", "eth0", "nodad"])
        try remote.run(["ip", "link", "set", "eth0", "up"])
        try remote.run(["ip", "route", "add", "default", "via", Self.hostRemoteIPv4])
        try remote.run(["ip", "-6", "route", "add", "default", "via", Self.hostRemoteIPv6])
    }

    /// The fake resolver on the host's loopback, started and waited for.
    private func startResolver() throws {
        let script = TestPaths.packageRoot.appending(path: "Sources/FerryTestSupport/fake-dns.py")
        let output = Pipe()
        let process = try start(
            inHost: ["/usr/bin/python3", script.path, Self.resolvedIPv4, Self.resolvedIPv6],
            output: output)
        let line = output.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).hasPrefix("ready") else {
            process.terminate()
            throw MessageError("fake resolver did not start")
        }
    }

    /// Starts a long-running command in the host namespace (as root); stopped by `remove()`.
    @discardableResult
    public func start(inHost arguments: [String], output: Pipe? = nil) throws -> Process {
        try start(in: host, arguments, output: output)
    }

    /// Starts a server in one of this environment's namespaces (as root) and waits for the
    /// first line it prints, which must begin with `ready`; stopped by `remove()`.
    public func startServer(
        in namespace: TestNamespace, _ arguments: [String], ready: String = "listening"
    ) throws {
        let output = Pipe()
        let process = try start(in: namespace, arguments, output: output)
        var seen = ""
        while !seen.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        guard seen.hasPrefix(ready) else {
            kill(process.processIdentifier, SIGKILL)
            throw MessageError("\(arguments.joined(separator: " ")) did not start: \(seen)")
        }
    }

    /// Starts a long-running command in `namespace` (as root); stopped by `remove()`.
    @discardableResult
    public func start(
        in namespace: TestNamespace, _ arguments: [String], output: Pipe? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace.name] + arguments
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        return process
    }

    /// A rootless container of the test user; stopped by `remove()` if still running.
    public func startContainer() throws -> RootlessContainer {
        let container = try RootlessContainer(user: user)
        containers.append(container)
        return container
    }

    /// The command line that runs `arguments` as the test user inside the host namespace.
    public func asUserInHost(_ arguments: [String]) -> [String] {
        [
            "ip", "netns", "exec", host.name, "setpriv", "--reuid=\(user.uid)",
            "--regid=\(user.gid)", "--init-groups",
        ] + arguments
    }

    /// Runs a command as the test user inside the host namespace, to completion.
    ///
    /// Its output goes to files, not pipes: a daemon it leaves behind, or any process that
    /// inherited a copy, cannot hold the test up waiting for the end of a pipe.
    public func runAsUserInHost(_ arguments: [String]) throws -> UserCommandResult {
        let stamp = UUID().uuidString
        let outputPath = directory + "/out-\(stamp)"
        let errorPath = directory + "/err-\(stamp)"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer {
            _ = try? FileManager.default.removeItem(atPath: outputPath)
            _ = try? FileManager.default.removeItem(atPath: errorPath)
        }
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = asUserInHost(arguments)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        try process.run()
        process.waitUntilExit()
        return UserCommandResult(
            status: process.terminationStatus,
            stdout: (try? FileSystem.readString(outputPath)) ?? "",
            stderr: (try? FileSystem.readString(errorPath)) ?? "")
    }

    /// Stops everything this environment started and deletes its namespaces and files.
    public func remove() {
        for container in containers { container.stop() }
        for process in processes where process.isRunning {
            // `ip netns exec` execs its command, so the pid is the resolver's own.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        processes.removeAll()
        remote.remove()
        upstream.remove()
        host.remove()
        _ = try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { remove() }
}

/// What a command run by `runAsUserInHost` left.
public struct UserCommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}
