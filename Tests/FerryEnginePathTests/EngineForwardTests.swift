import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// Forwarded ports (`-t`, `-u`): clients in the fake host (on its loopback and on its own
/// address) and in the remote namespace reach servers in the container, which must see
/// the right source address; TCP transfers are checked by SHA-256 both ways.
@Suite(.enabled(if: TestPaths.isRoot, "making namespaces and taps needs root"), .serialized)
struct EngineForwardTests {
    static let size = 8 << 20

    /// `tcp_client.py` in `namespace`: "ok PEER" with the address the container's server saw.
    func transfer(
        _ lab: EngineLab, from namespace: TestNamespace, to address: String, _ port: Int,
        size: Int = Self.size
    ) throws -> String {
        let result = try namespace.exec([
            "python3", EngineLab.fixture("tcp_client.py"), address, "\(port)", "\(size)",
            "\(size)",
        ])
        return (result.stdout + (result.succeeded ? "" : result.stderr))
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func tcpServer(_ lab: EngineLab, _ port: Int) throws {
        try lab.start(
            in: lab.container,
            ["python3", EngineLab.fixture("tcp_server.py"), "any", "\(port)", "transfer"])
    }

    @Test func tcpReachesTheContainerWithTheClientsAddress() throws {
        let lab = try EngineLab(["--tcp-forward", "7200"])
        try tcpServer(lab, 7200)
        #expect(try transfer(lab, from: lab.server, to: "10.99.0.1", 7200) == "ok ::ffff:10.99.0.2")
        #expect(try transfer(lab, from: lab.server, to: "fd99::1", 7200) == "ok fd99::2")
        // The host's loopback and its own address (the container's too) show as the gateway.
        #expect(
            try transfer(lab, from: lab.host, to: "127.0.0.1", 7200) == "ok ::ffff:10.99.0.254")
        #expect(
            try transfer(lab, from: lab.host, to: "10.99.0.1", 7200) == "ok ::ffff:10.99.0.254")
        let loopback6 = try transfer(lab, from: lab.host, to: "::1", 7200)
        #expect(loopback6 == "ok fe80::1", "\(loopback6)")
        #expect(lab.engineThreads == 1)
        // The listening sockets are part of the baseline: no connection socket remains.
        #expect(lab.flowSocketsAfterClose() == 0)
    }

    @Test func tcpTranslatedPortsAndRanges() throws {
        let lab = try EngineLab([
            "--tcp-forward", "8080:7300", "--tcp-forward", "7210-7211:7310",
        ])
        for port in [7300, 7310, 7311] { try tcpServer(lab, port) }
        for port in [8080, 7210, 7211] {
            #expect(
                try transfer(lab, from: lab.server, to: "10.99.0.1", port, size: 1 << 20)
                    == "ok ::ffff:10.99.0.2")
        }
        // A port the rules do not name is not listened on.
        let refused = try lab.server.exec([
            "python3", EngineLab.fixture("tcp_client.py"), "10.99.0.1", "7300", "1", "1",
        ])
        #expect(!refused.succeeded)
    }

    @Test func tcpAddressBoundForwardListensOnThatAddressOnly() throws {
        let lab = try EngineLab(["--tcp-forward", "127.0.0.1/7220"])
        try tcpServer(lab, 7220)
        #expect(
            try transfer(lab, from: lab.host, to: "127.0.0.1", 7220, size: 1 << 20)
                == "ok ::ffff:10.99.0.254")
        let remote = try lab.server.exec([
            "python3", EngineLab.fixture("tcp_client.py"), "10.99.0.1", "7220", "1", "1",
        ])
        #expect(!remote.succeeded)
    }

    @Test func aClosedContainerPortResetsTheClient() throws {
        let lab = try EngineLab(["--tcp-forward", "7230"])
        let result = try lab.server.exec([
            "python3", EngineLab.fixture("tcp_client.py"), "10.99.0.1", "7230", "1", "1",
        ])
        #expect(!result.succeeded)
        #expect(result.stderr.contains("Connection reset") || result.stderr.contains("Broken"))
        #expect(lab.flowSocketsAfterClose() == 0)
    }

    /// One datagram from `namespace` to a forwarded port: the echo server in the container
    /// answers with the sender it saw; "REPLY | SENDER PORT" as the client got it.
    func udpExchange(
        from namespace: TestNamespace, port: Int, to address: String, _ destinationPort: Int
    ) throws -> String? {
        let result = try namespace.exec([
            "python3", EngineLab.fixture("udp_client.py"), "\(port)", address,
            "\(destinationPort)", "hello",
        ])
        return result.succeeded
            ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    @Test func udpReachesTheContainerWithTheClientsAddress() throws {
        let lab = try EngineLab(["--udp-forward", "7400", "--udp-forward", "7410:7420"])
        try lab.start(
            in: lab.container, ["python3", EngineLab.fixture("udp_echo.py"), "any", "7400"])
        try lab.start(
            in: lab.container, ["python3", EngineLab.fixture("udp_echo.py"), "any", "7420"])
        #expect(
            try udpExchange(from: lab.server, port: 5001, to: "10.99.0.1", 7400)
                == "::ffff:10.99.0.2 5001 hello | 10.99.0.1 7400")
        #expect(
            try udpExchange(from: lab.server, port: 5002, to: "fd99::1", 7400)
                == "fd99::2 5002 hello | fd99::1 7400")
        #expect(
            try udpExchange(from: lab.host, port: 5003, to: "127.0.0.1", 7400)
                == "::ffff:10.99.0.254 5003 hello | 127.0.0.1 7400")
        #expect(
            try udpExchange(from: lab.host, port: 5004, to: "10.99.0.1", 7410)
                == "::ffff:10.99.0.254 5004 hello | 10.99.0.1 7410")
        // A second exchange on the same flow goes through the flow's own socket.
        #expect(
            try udpExchange(from: lab.server, port: 5001, to: "10.99.0.1", 7400)
                == "::ffff:10.99.0.2 5001 hello | 10.99.0.1 7400")
        #expect(lab.engineThreads == 1)
    }

    /// A forwarded port that cannot be bound (here: named twice) stops the engine before
    /// it says ready, so `ferry pasta` can fail its caller.
    @Test func aPortThatCannotBeBoundFailsTheStart() throws {
        #expect(throws: (any Error).self) {
            _ = try EngineLab(["--tcp-forward", "7250", "--tcp-forward", "7250"])
        }
    }
}
