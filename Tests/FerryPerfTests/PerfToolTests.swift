import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// ferry-perf, the benchmark's latency, loss and reachability probes, run as the built
/// executable against its own server on this process's loopback (no root needed): every
/// subcommand's JSON line, and the errors a broken path gives.
@Suite struct PerfToolTests {
    let tool: String

    init() throws {
        tool = try #require(TestPaths.product("ferry-perf"), "ferry-perf is not built").path
    }

    /// A server on 127.0.0.1, on a port of the kernel's choice; killed by `stop`.
    final class Server {
        let process = Process()
        let port: Int

        init(_ tool: String, bind: String = "127.0.0.1") throws {
            let output = Pipe()
            process.executableURL = URL(filePath: tool)
            process.arguments = ["server", "--bind", bind]
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            let ready = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            port = try #require(ready?["listening"] as? Int, "server said \(line)")
        }

        /// SIGKILL: the test runner blocks SIGTERM, and its children inherit the mask.
        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        deinit { stop() }
    }

    /// Runs the tool; the JSON object it printed, and its exit status and stderr.
    func run(_ arguments: [String]) throws -> (json: [String: Any], status: Int32, stderr: String) {
        let result = try Command.run([tool] + arguments)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return (object as? [String: Any] ?? [:], result.status, result.stderr)
    }

    @Test func tcpRequestResponseCountsTransactions() throws {
        let server = try Server(tool)
        defer { server.stop() }
        let result = try run(["tcp-rr", "127.0.0.1", "\(server.port)", "--seconds", "0.3"])
        #expect(result.status == 0, "\(result.stderr)")
        let transactions = try #require(result.json["transactions"] as? Int)
        #expect(transactions > 0)
        let p50 = try #require(result.json["p50_us"] as? Double)
        let p99 = try #require(result.json["p99_us"] as? Double)
        #expect(p50 > 0 && p99 >= p50)
        let rate = try #require(result.json["transactions_per_second"] as? Double)
        #expect(abs(rate - Double(transactions) / 0.3) < 1)
    }

    @Test func tcpConnectRequestResponseOverIPv6() throws {
        let server = try Server(tool, bind: "::")
        defer { server.stop() }
        let result = try run(["tcp-crr", "::1", "\(server.port)", "--seconds", "0.2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((result.json["transactions"] as? Int ?? 0) > 0)
        #expect(result.json["peer"] as? String == "[::1]:\(server.port)")
    }

    /// 200 datagrams a second on loopback: nothing may be lost, and the count is exact.
    @Test func udpStreamAtATinyRateLosesNothing() throws {
        let server = try Server(tool)
        defer { server.stop() }
        let result = try run([
            "udp-stream", "127.0.0.1", "\(server.port)", "--rate", "200", "--seconds", "0.5",
            "--size", "100",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let sent = try #require(result.json["sent"] as? Int)
        #expect(sent == 100)
        #expect(result.json["received"] as? Int == sent)
        #expect(result.json["loss_percent"] as? Double == 0)
    }

    @Test func whoAmIGivesTheSourceTheServerSaw() throws {
        let server = try Server(tool, bind: "::")
        defer { server.stop() }
        let tcp = try run(["whoami", "127.0.0.1", "\(server.port)"])
        #expect(tcp.json["seen_as"] as? String == "127.0.0.1", "\(tcp.stderr)")
        let udp = try run(["whoami", "::1", "\(server.port)", "--udp"])
        #expect(udp.json["seen_as"] as? String == "::1", "\(udp.stderr)")
        let probe = try run(["probe", "127.0.0.1", "\(server.port)", "--timeout", "2"])
        #expect((probe.json["connected_at"] as? Double ?? 0) > 1_700_000_000)
    }

    /// A port nobody listens on: a refused connect, said plainly, and exit status 1.
    @Test func closedPortIsAClearErrorAndExitOne() throws {
        let server = try Server(tool)
        let port = server.port
        server.stop()
        for test in ["tcp-rr", "tcp-crr", "whoami"] {
            let result = try run(
                [test, "127.0.0.1", "\(port)", "--seconds", "0.2"].filter {
                    test != "whoami" || !["--seconds", "0.2"].contains($0)
                })
            #expect(result.status == 1)
            let message = "connecting to 127.0.0.1:\(port): Connection refused (errno 111)"
            #expect((result.json["error"] as? String ?? "").contains(message), "\(result.json)")
            #expect(result.stderr.contains(message))
        }
        let probe = try run(["probe", "127.0.0.1", "\(port)", "--timeout", "0.1"])
        #expect(probe.status == 1)
        #expect(
            (probe.json["error"] as? String ?? "").contains("no connection to 127.0.0.1:\(port)"))
    }

    @Test func usageErrorsExitTwo() throws {
        for arguments in [["tcp-rr", "localhost", "1"], ["udp-stream", "127.0.0.1", "1"], []] {
            let result = try Command.run([tool] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains("usage: ferry-perf server"))
        }
    }
}

/// ping and dns need a namespace of their own: a raw socket, and a resolver on port 53.
@Suite(.enabled(if: TestPaths.isRoot, "raw sockets and port 53 in a namespace need root"))
struct PerfToolNamespaceTests {
    @Test func pingAndDnsInANamespace() throws {
        let tool = try #require(TestPaths.product("ferry-perf"), "ferry-perf is not built").path
        let namespace = try TestNamespace("perf")
        defer { namespace.remove() }
        let ping = try namespace.exec([tool, "ping", "127.0.0.1", "--timeout", "1"])
        #expect(ping.succeeded, "\(ping.stderr)")
        #expect(ping.stdout.contains(#""rtt_us":"#))
        let ping6 = try namespace.exec([tool, "ping", "::1", "--timeout", "1"])
        #expect(ping6.succeeded, "\(ping6.stderr)")

        // The tests' fake resolver answers every A and AAAA with fixed addresses.
        let script = TestPaths.packageRoot.appending(path: "Sources/FerryTestSupport/fake-dns.py")
        let resolver = Process()
        resolver.executableURL = URL(filePath: "/usr/bin/env")
        resolver.arguments = [
            "ip", "netns", "exec", namespace.name, "python3", script.path, "203.0.113.9",
            "2001:db8::9", "127.0.0.1",
        ]
        let output = Pipe()
        resolver.standardOutput = output
        try resolver.run()
        defer {
            kill(resolver.processIdentifier, SIGKILL)
            resolver.waitUntilExit()
        }
        _ = output.fileHandleForReading.availableData
        let a = try namespace.exec([tool, "dns", "127.0.0.1", "ferry.test"])
        #expect(a.stdout.contains(#""answers":["203.0.113.9"]"#), "\(a.stdout) \(a.stderr)")
        let aaaa = try namespace.exec([tool, "dns", "127.0.0.1", "ferry.test", "--aaaa"])
        #expect(aaaa.stdout.contains(#""answers":["2001:db8::9"]"#), "\(aaaa.stdout)")

        // Nobody at 127.0.0.2's port 53 answers: a clear error, exit 1.
        let none = try namespace.exec([tool, "dns", "127.0.0.2", "ferry.test", "--timeout", "0.3"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("127.0.0.2"), "\(none.stderr)")
    }

    /// A server with two addresses answers UDP from the one it was asked at: asked at
    /// 10.2.0.1 (on lo) by a client behind a veth, it must not answer from the veth's
    /// 10.1.0.1, or the client's connected socket drops the answer.
    @Test func udpAnswersComeFromTheAddressAsked() throws {
        let tool = try #require(TestPaths.product("ferry-perf"), "ferry-perf is not built").path
        let server = try TestNamespace("perfsrv")
        let client = try TestNamespace("perfcli")
        defer {
            client.remove()
            server.remove()
        }
        try server.run(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        try server.run(["ip", "link", "set", "v1", "netns", client.name])
        try server.run(["ip", "addr", "add", "10.1.0.1/24", "dev", "v0"])
        try server.run(["ip", "addr", "add", "10.2.0.1/32", "dev", "lo"])
        try server.run(["ip", "link", "set", "v0", "up"])
        try client.run(["ip", "addr", "add", "10.1.0.2/24", "dev", "v1"])
        try client.run(["ip", "link", "set", "v1", "up"])
        try client.run(["ip", "route", "add", "10.2.0.1/32", "via", "10.1.0.1"])

        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", server.name, tool, "server", "--port", "7300"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        _ = output.fileHandleForReading.availableData
        let udp = try client.exec([tool, "whoami", "10.2.0.1", "7300", "--udp", "--timeout", "1"])
        #expect(udp.stdout.contains(#""seen_as":"10.1.0.2""#), "\(udp.stdout) \(udp.stderr)")
    }
}
