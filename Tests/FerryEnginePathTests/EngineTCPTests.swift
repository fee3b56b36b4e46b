import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// TCP through the engine, against Python peers in the lab's namespaces: whole transfers
/// checked by SHA-256 both ways, the address mapping, refused and unreachable destinations,
/// half-close in both orders, a reader that never reads and one that pauses until its
/// window is closed. Root only, like the rest of the lab; serialized, since every test
/// moves hundreds of MiB on a two-core machine.
@Suite(.enabled(if: TestPaths.isRoot, "making namespaces and taps needs root"), .serialized)
struct EngineTCPTests {
    static let hundredMiB = 100 << 20

    /// `tcp_client.py` from the container: UP bytes sent, DOWN received, both checked; the
    /// peer address the server saw.
    func transfer(
        _ lab: EngineLab, to address: String, _ port: Int, up: Int, down: Int
    ) throws -> String {
        let output = try lab.run([
            "python3", EngineLab.fixture("tcp_client.py"), address, "\(port)", "\(up)",
            "\(down)",
        ])
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func server(_ lab: EngineLab, in namespace: TestNamespace, _ port: Int, _ mode: String)
        throws
    {
        try lab.start(
            in: namespace,
            ["python3", EngineLab.fixture("tcp_server.py"), "any", "\(port)", mode])
    }

    func probe(_ lab: EngineLab, _ address: String, _ port: Int) throws -> String {
        try lab.run([
            "python3", EngineLab.fixture("tcp_probe.py"), "tap0", address, "\(port)", "3",
        ]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [65520, 1500])
    func hundredMiBEachWayToTheRemoteNamespace(mtu: Int) throws {
        let lab = try EngineLab(mtu: mtu)
        try server(lab, in: lab.server, 7100, "transfer")
        let size = Self.hundredMiB
        #expect(
            try transfer(lab, to: "10.99.0.2", 7100, up: size, down: size)
                == "ok ::ffff:10.99.0.1")
        #expect(try transfer(lab, to: "fd99::2", 7100, up: size, down: size) == "ok fd99::1")
        #expect(lab.engineThreads == 1)
        // Both connections closed from both sides: their sockets are gone.
        #expect(lab.flowSocketsAfterClose() == 0)
    }

    @Test func theGatewayAndTheMappedAddressReachTheHost() throws {
        let lab = try EngineLab(["--map-guest", "10.99.0.100"])
        try server(lab, in: lab.host, 7101, "transfer")
        let size = Self.hundredMiB
        #expect(
            try transfer(lab, to: "10.99.0.254", 7101, up: size, down: size)
                == "ok ::ffff:127.0.0.1")
        #expect(try transfer(lab, to: "fe80::1%tap0", 7101, up: size, down: size) == "ok ::1")
        #expect(
            try transfer(lab, to: "10.99.0.100", 7101, up: 1 << 20, down: 1 << 20)
                == "ok ::ffff:10.99.0.1")
    }

    @Test func aRefusedPortGetsAResetAndNoSynAck() throws {
        let lab = try EngineLab()
        #expect(try probe(lab, "10.99.0.2", 7999) == "refused RA")
        #expect(try probe(lab, "fd99::2", 7999) == "refused RA")
        #expect(try probe(lab, "10.99.0.254", 7999) == "refused RA")
    }

    @Test func aBlackholedDestinationGetsNoSynAck() throws {
        let lab = try EngineLab()
        try lab.host.run(["ip", "route", "add", "blackhole", "10.98.0.0/24"])
        try lab.host.run(["ip", "-6", "route", "add", "blackhole", "fd98::/64"])
        #expect(try probe(lab, "10.98.0.1", 80) == "timeout")
        #expect(try probe(lab, "fd98::1", 80) == "timeout")
        #expect(lab.engineFlowSockets == 0)
    }

    /// The host closes its side first and the container goes on sending (the transfers
    /// above cover the container closing first).
    @Test func halfCloseFromTheHostSide() throws {
        let lab = try EngineLab()
        let results = FileManager.default.temporaryDirectory.appending(
            path: "tcp-reverse-\(lab.host.name)")
        defer { try? FileManager.default.removeItem(at: results) }
        try lab.start(
            in: lab.server,
            [
                "python3", EngineLab.fixture("tcp_server.py"), "any", "7103", "reverse",
                results.path,
            ])
        let output = try lab.run([
            "python3", EngineLab.fixture("tcp_client.py"), "10.99.0.2", "7103", "10000000",
            "20000000", "reverse",
        ]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(output.hasPrefix("ok "))
        Thread.sleep(forTimeInterval: 0.5)
        let seen = (try? String(contentsOf: results, encoding: .utf8)) ?? ""
        #expect(seen == "\(output.dropFirst(3)) 10000000\n", "\(seen) vs \(output)")
    }

    /// A container reader that stops until its window is closed, then reads on after its
    /// window update was lost (dropped by nftables in the container): the engine's window
    /// probes, answered while the window stays closed, are what restarts the transfer.
    @Test(arguments: ["10.99.0.2", "fd99::2"])
    func aClosedWindowIsProbedUntilItOpens(address: String) throws {
        let lab = try EngineLab()
        try server(lab, in: lab.server, 7104, "transfer")
        let output = try lab.run([
            "python3", EngineLab.fixture("tcp_zero_window.py"), address, "7104", "\(64 << 20)",
        ]).split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(output.first == "ok", "\(output)")
        let counts = output.dropFirst().compactMap { Int($0) }
        #expect(counts.count == 3, "\(output)")
        guard counts.count == 3 else { return }
        // Four seconds of a closed window: probes at growing intervals, and answers to
        // them (the container's kernel answers at most one in 500 ms); then the lost
        // window update.
        #expect(counts[0] >= 2 && counts[0] <= 8, "probes: \(counts[0])")
        #expect(counts[1] >= 1 && counts[1] <= counts[0], "answers: \(counts[1])")
        #expect(counts[2] >= 1, "window updates dropped: \(counts[2])")
        #expect(lab.flowSocketsAfterClose() == 0)
    }

    /// A host reader that never reads: the engine stops acknowledging, so the container's
    /// data waits in the container and in the kernel's socket buffers, not in the engine.
    @Test func aStalledReaderKeepsTheEngineSmall() throws {
        let lab = try EngineLab()
        try server(lab, in: lab.server, 7102, "stall")
        try server(lab, in: lab.server, 7100, "transfer")
        #expect(try transfer(lab, to: "10.99.0.2", 7100, up: 1 << 20, down: 1 << 20) != "")
        let before = lab.engineResidentKiB
        let sent = try lab.run([
            "python3", EngineLab.fixture("tcp_flood.py"), "10.99.0.2", "7102", "3",
        ])
        let accepted = Int(sent.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let after = lab.engineResidentKiB
        // What the container could write is bounded by the buffers along the way (its own
        // send buffer, the engine's socket and the server's receive buffer), a few tens of
        // MiB at most; the engine itself grows by less than 2 MiB.
        #expect(accepted > 0 && accepted < 64 << 20, "\(accepted) bytes")
        #expect(before > 0 && after - before < 2048, "RSS \(before) KiB then \(after) KiB")
        #expect(
            try transfer(lab, to: "10.99.0.2", 7100, up: 1 << 20, down: 1 << 20)
                == "ok ::ffff:10.99.0.1")
    }
}
