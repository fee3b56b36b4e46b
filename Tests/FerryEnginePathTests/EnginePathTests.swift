import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// The engine's data path against real clients (busybox, ndisc6, dhclient, Python sockets)
/// in namespaces made per test, with engine-probe standing in for `ferry pasta`. Root only:
/// the namespaces, the veth pair and the tap need CAP_NET_ADMIN. Serialized: each test
/// runs an engine and clients, and the machine has two cores.
@Suite(.enabled(if: TestPaths.isRoot, "making namespaces and taps needs root"), .serialized)
struct EnginePathTests {
    @Test func gatewayResolvesToTheEngineOverARPAndNDP() throws {
        let lab = try EngineLab()
        let arping = try lab.exec(
            ["busybox", "arping", "-c", "1", "-w", "3", "-I", "tap0", "10.99.0.254"])
        #expect(arping.stdout.contains("Received 1 response"), "\(arping.stdout)")
        #expect(arping.stdout.lowercased().contains(EngineLab.engineMAC))

        // Another address of the subnet is the engine too; the container's own is not.
        let other = try lab.exec(
            ["busybox", "arping", "-c", "1", "-w", "2", "-I", "tap0", "10.99.0.77"])
        #expect(other.stdout.contains("Received 1 response"))

        let ndisc = try lab.exec(["ndisc6", "-1", "-r", "3", "fe80::1", "tap0"])
        #expect(ndisc.stdout.lowercased().contains("target link-layer address: 9a:55:9a:55:9a:55"))
        try lab.run(["busybox", "ping", "-c", "1", "-W", "2", "10.99.0.254"])
        let neighbours = try lab.run(["ip", "neigh", "show", "10.99.0.254"])
        #expect(neighbours.contains("lladdr \(EngineLab.engineMAC)"))
    }

    @Test func dhcpClientsGetTheAddressRouterAndMTU() throws {
        let lab = try EngineLab(["--dns", "10.99.0.53"], configure: false)
        let script = FileManager.default.temporaryDirectory.appending(
            path: "udhcpc-\(lab.host.name)")
        try "#!/bin/sh\necho \"$1 ip=$ip mask=$subnet router=$router mtu=$mtu dns=$dns\"\n"
            .write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)

        let dhcp = try lab.exec([
            "busybox", "udhcpc", "-i", "tap0", "-f", "-q", "-n", "-t", "3", "-T", "1", "-s",
            script.path,
        ])
        #expect(
            dhcp.stdout.contains(
                "bound ip=10.99.0.1 mask=255.255.255.0 router=10.99.0.254 mtu=65520"
                    + " dns=10.99.0.53"), "\(dhcp.stdout) \(dhcp.stderr)")

        let advertisement = try lab.exec(["rdisc6", "-1", "-r", "3", "tap0"])
        #expect(advertisement.stdout.contains("Prefix                   : fd99::/64"))
        #expect(advertisement.stdout.contains("MTU                      :        65520 bytes"))
        #expect(advertisement.stdout.contains("from fe80::1"))

        let lease = FileManager.default.temporaryDirectory.appending(path: "dh6-\(lab.host.name)")
        defer { try? FileManager.default.removeItem(at: lease) }
        // dhclient stays in the foreground (-d) so it holds no pipe of ours after it ends;
        // KILL, because it inherits the test runner's blocked SIGTERM.
        _ = try lab.exec([
            "timeout", "-s", "KILL", "6", "dhclient", "-6", "-d", "-1", "-sf", "/bin/true",
            "-lf", lease.path, "-pf", lease.path + ".pid", "tap0",
        ])
        try? FileManager.default.removeItem(atPath: lease.path + ".pid")
        let leased = (try? String(contentsOf: lease, encoding: .utf8)) ?? ""
        #expect(leased.contains("iaaddr fd99::1 {"), "\(leased)")
    }

    @Test func echoRequestsGoThroughPingSockets() throws {
        let lab = try EngineLab()
        for target in ["10.99.0.2", "10.99.0.254", "fd99::2", "fe80::1%tap0"] {
            let ping = try lab.exec(["busybox", "ping", "-c", "2", "-W", "3", target])
            #expect(ping.stdout.contains("2 packets received"), "\(target): \(ping.stdout)")
        }
        // Ping sockets, one per (destination, identifier): still a single thread.
        #expect(lab.engineFlowSockets >= 1)
        #expect(lab.engineThreads == 1)
    }

    @Test func forbiddenPingSocketsWarnOnce() throws {
        let lab = try EngineLab(pingGroupRange: "1 0")
        for _ in 0..<2 {
            let ping = try lab.exec(["busybox", "ping", "-c", "1", "-W", "1", "10.99.0.2"])
            #expect(!ping.succeeded)
        }
        let warnings = lab.engineLog.components(separatedBy: "net.ipv4.ping_group_range").count - 1
        #expect(warnings == 1, "\(lab.engineLog)")
        #expect(lab.engineLog.contains("[warning] icmp: ping sockets are not allowed"))
    }

    @Test func udpFlowsKeepSourcePortsAndMapAddresses() throws {
        let lab = try EngineLab(["--map-guest", "10.99.0.100"])
        try lab.echoServer(in: lab.server, port: 7000)
        try lab.echoServer(in: lab.host, port: 7001)

        // The server sees the host's address and the container's own source port; the
        // reply comes from the address the container used.
        #expect(
            try lab.udpExchange(from: 40000, to: "10.99.0.2", 7000)
                == "::ffff:10.99.0.1 40000 hello | 10.99.0.2 7000")
        #expect(
            try lab.udpExchange(from: 40001, to: "fd99::2", 7000)
                == "fd99::1 40001 hello | fd99::2 7000")

        // The gateway is the host's loopback; the mapped guest address is the host itself.
        #expect(
            try lab.udpExchange(from: 40002, to: "10.99.0.254", 7001)
                == "::ffff:127.0.0.1 40002 hello | 10.99.0.254 7001")
        #expect(
            try lab.udpExchange(from: 40003, to: "fe80::1%tap0", 7001)
                == "::1 40003 hello | fe80::1 7001")
        #expect(
            try lab.udpExchange(from: 40004, to: "10.99.0.100", 7001)
                == "::ffff:10.99.0.1 40004 hello | 10.99.0.100 7001")
    }

    /// A datagram to a closed port: the ICMP port unreachable the host's kernel gets on the
    /// flow's socket reaches the container, whose socket reports ECONNREFUSED.
    @Test func closedPortsAnswerPortUnreachable() throws {
        let lab = try EngineLab()
        for address in ["10.99.0.2", "fd99::2", "10.99.0.254", "fe80::1%tap0"] {
            let result = try lab.exec(
                ["python3", EngineLab.fixture("udp_refused.py"), address, "7997"])
            let answer = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(answer == "refused", "\(address): \(answer) \(result.stderr)")
        }
    }

    @Test func gatewayIsNotTheHostWithoutMapping() throws {
        let lab = try EngineLab(["--no-map-gw"])
        try lab.echoServer(in: lab.host, port: 7001)
        #expect(try lab.udpExchange(from: 40002, to: "10.99.0.254", 7001) == nil)
    }

    @Test func dnsForwardReachesTheUpstreamResolver() throws {
        let lab = try EngineLab([
            "--dns-forward", "10.99.0.53", "--dns-upstream", "127.0.0.53",
        ])
        try lab.start(
            in: lab.host, ["python3", EngineLab.fixture("dns_responder.py"), "127.0.0.53"])
        let answer = try lab.run(
            ["python3", EngineLab.fixture("dns_query.py"), "10.99.0.53"])
        #expect(answer.trimmingCharacters(in: .whitespacesAndNewlines) == "10.1.2.3 10.99.0.53")
    }

    @Test func udpFlowsAreCappedAndExpire() throws {
        // Idle flows expire after 5 s: long enough that a loaded machine still finishes the
        // ten exchanges before the first of the last four could expire.
        let lab = try EngineLab(["--udp-limit", "4", "--udp-idle", "5"])
        try lab.echoServer(in: lab.server, port: 7000)
        for port in 41000..<41010 {
            #expect(try lab.udpExchange(from: port, to: "10.99.0.2", 7000) != nil)
            #expect(lab.engineFlowSockets <= 4)
        }
        #expect(lab.engineFlowSockets == 4)
        Thread.sleep(forTimeInterval: 7)
        #expect(lab.engineFlowSockets == 0)
    }

    /// A million hostile frames and a flood of new flows: the engine keeps one thread, its
    /// memory stays put (within 1 MiB of where it was after ten thousand frames) and it
    /// still answers afterwards.
    @Test func hostileFramesAndFlowFloods() throws {
        let lab = try EngineLab(["--udp-limit", "512"])
        try lab.echoServer(in: lab.server, port: 7000)
        let flood = [
            "python3", EngineLab.fixture("frame_flood.py"), "tap0", "COUNT", "10.99.0.2",
            "10.99.0.1", EngineLab.engineMAC,
        ]
        func send(_ count: Int) throws -> Int {
            let output = try lab.run(flood.map { $0 == "COUNT" ? "\(count)" : $0 })
            return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }

        #expect(try send(10_000) > 9_000)
        Thread.sleep(forTimeInterval: 1)
        let early = lab.engineResidentKiB
        #expect(try send(990_000) > 900_000)
        Thread.sleep(forTimeInterval: 1)
        let late = lab.engineResidentKiB

        #expect(lab.engineIsRunning)
        #expect(lab.engineThreads == 1)
        #expect(early > 0 && late - early <= 1024, "RSS \(early) KiB then \(late) KiB")
        // The flood's flows were opened (so the frames were read) and capped.
        #expect(lab.engineFlowSockets > 100 && lab.engineFlowSockets <= 512)
        #expect(try lab.udpExchange(from: 40000, to: "10.99.0.2", 7000) != nil)
    }
}
