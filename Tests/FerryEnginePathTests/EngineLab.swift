import FerrySystem
import FerryTestSupport
import Foundation

/// Three namespaces around one engine: a fake host where the engine runs (veth0 with
/// 10.99.0.1/24 and fd99::1/64), a server beyond it (10.99.0.2, fd99::2) and the container,
/// whose tap0 the engine serves. As with pasta, the container gets the host's own
/// addresses, and the gateway 10.99.0.254 / fe80::1 exists only as the engine's answers.
final class EngineLab: @unchecked Sendable {
    static let engineMAC = "9a:55:9a:55:9a:55"
    static let fixtures = TestPaths.packageRoot.appending(
        path: "Tests/FerryEnginePathTests/Fixtures")

    let host: TestNamespace
    let server: TestNamespace
    let container: TestNamespace
    let errorLog: URL
    private(set) var enginePID: Int32 = 0
    /// Sockets the engine holds before any flow (inherited from the test runner).
    private var socketBaseline = 0
    private var processes: [Process] = []

    /// Starts the engine with `options` added to the standard ones; with `configure`, the
    /// container's tap gets its addresses and routes as `ferry pasta --config-net` would.
    init(
        _ options: [String] = [], pingGroupRange: String = "0 2147483647",
        configure: Bool = true, mtu: Int = 65520
    ) throws {
        host = try TestNamespace("ephost")
        server = try TestNamespace("epsrv")
        container = try TestNamespace("epctr")
        errorLog = FileManager.default.temporaryDirectory
            .appending(path: "engine-\(host.name).log")

        // The uplink: host veth0 <-> server veth0.
        try host.run([
            "ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth0",
            "netns", server.name,
        ])
        for (namespace, last) in [(host, "1"), (server, "2")] {
            try namespace.run(["sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0"])
            try namespace.run(["ip", "address", "add", "10.99.0.\(last)/24", "dev", "veth0"])
            try namespace.run(
                ["ip", "address", "add", "fd99::\(last)/64", "dev", "veth0", "nodad"])
            try namespace.run(["ip", "link", "set", "veth0", "up"])
        }
        try host.run(["sysctl", "-qw", "net.ipv4.ping_group_range=\(pingGroupRange)"])
        for key in ["all", "default"] {
            try container.run(["sysctl", "-qw", "net.ipv6.conf.\(key).accept_dad=0"])
        }

        let probe = try TestPaths.product("engine-probe").orThrow("engine-probe is not built")
        let arguments = [
            probe.path, "--container", container.path, "--mac", Self.engineMAC,
            "--address4", "10.99.0.1/24", "--gateway4", "10.99.0.254", "--host4", "10.99.0.1",
            "--address6", "fd99::1/64", "--gateway6", "fe80::1", "--host6", "fd99::1",
            "--mtu", "\(mtu)",
        ]
        let line = try start(in: host, arguments + options, ready: "ready", log: errorLog)
        enginePID = try Int32(line.split(separator: " ").last ?? "").orThrow("no pid: \(line)")
        socketBaseline = engineSockets

        try container.run(["ip", "link", "set", "tap0", "mtu", "\(mtu)", "up"])
        if configure {
            try container.run(["ip", "address", "add", "10.99.0.1/24", "dev", "tap0"])
            try container.run(["ip", "address", "add", "fd99::1/64", "dev", "tap0", "nodad"])
            try container.run(["ip", "route", "add", "default", "via", "10.99.0.254"])
            try container.run(
                ["ip", "-6", "route", "replace", "default", "via", "fe80::1", "dev", "tap0"])
        }
    }

    deinit {
        // SIGKILL: children inherit the test runner's blocked signals, SIGTERM included.
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        for process in processes { process.waitUntilExit() }
        container.remove()
        server.remove()
        host.remove()
        try? FileManager.default.removeItem(at: errorLog)
    }

    static func fixture(_ name: String) -> String { fixtures.appending(path: name).path }

    /// Starts `arguments` in `namespace`, waits for its first line, which must start with
    /// `ready`, and returns that line.
    @discardableResult
    func start(
        in namespace: TestNamespace, _ arguments: [String], ready: String = "listening",
        log: URL? = nil
    ) throws -> String {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace.name] + arguments
        let output = Pipe()
        process.standardOutput = output
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
        }
        try process.run()
        processes.append(process)
        var seen = ""
        while !seen.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { throw MessageError("\(arguments[0]) exited before it was ready") }
            seen += String(decoding: data, as: UTF8.self)
        }
        guard seen.hasPrefix(ready) else { throw MessageError("\(arguments[0]) said \(seen)") }
        return seen.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a command in the container with no signals blocked; what it printed.
    func exec(_ arguments: [String]) throws -> CommandResult {
        try container.exec(["python3", Self.fixture("unblocked.py")] + arguments)
    }

    /// Runs a command in the container and fails unless it succeeds.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let result = try exec(arguments)
        guard result.succeeded else {
            throw MessageError("\(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout
    }

    /// A UDP echo server in `namespace` on both families.
    func echoServer(in namespace: TestNamespace, port: Int) throws {
        try start(in: namespace, ["python3", Self.fixture("udp_echo.py"), "any", "\(port)"])
    }

    /// One datagram from the container; the reply and its sender, or nil on timeout.
    func udpExchange(from port: Int, to address: String, _ destinationPort: Int) throws
        -> String?
    {
        let result = try exec([
            "python3", Self.fixture("udp_client.py"), "\(port)", address, "\(destinationPort)",
            "hello",
        ])
        return result.succeeded
            ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// What the engine wrote on standard error so far.
    var engineLog: String {
        (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
    }

    /// The engine's threads, resident memory (KiB) and open sockets, from /proc.
    var engineThreads: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(enginePID)/task").count)
            ?? 0
    }

    var engineResidentKiB: Int {
        let status =
            (try? String(contentsOfFile: "/proc/\(enginePID)/status", encoding: .utf8))
            ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// The engine's flow sockets: its open sockets beyond those it started with.
    var engineFlowSockets: Int { engineSockets - socketBaseline }

    /// The engine's connection sockets once they are gone, or after `seconds` what is left:
    /// closing takes the last FIN and ACK both ways, which a loaded machine delays.
    func flowSocketsAfterClose(within seconds: Double = 5) -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while engineFlowSockets != 0 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        return engineFlowSockets
    }

    var engineSockets: Int {
        let directory = "/proc/\(enginePID)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter {
            let target = try? FileManager.default.destinationOfSymbolicLink(
                atPath: "\(directory)/\($0)")
            return target?.hasPrefix("socket:") ?? false
        }.count
    }

    var engineIsRunning: Bool { kill(enginePID, 0) == 0 }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw MessageError(message) }
        return self
    }
}
