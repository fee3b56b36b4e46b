import Foundation
import Testing

/// Firewall bugs that were seen once, each with the traffic or rule check that shows it.
// Root only: the tests create network namespaces, bridges and nft rules in them.
@Suite(.enabled(if: TestEnvironment.isRoot, "needs root to create network namespaces"))
struct FirewallRegressionTests {
    static func mapping(
        _ transport: String, _ hostPort: Int, _ containerPort: Int = 80,
        hostIP: String = ""
    ) -> [String: String] {
        [
            "host_ip": hostIP, "container_port": "\(containerPort)", "host_port": "\(hostPort)",
            "range": "1", "protocol": transport,
        ]
    }

    /// Two containers on one network, one torn down: the other still reaches out, and its
    /// published port still works (the network's rules must stay while it is there).
    @Test func teardownOfOneContainerLeavesTheOtherWorking() throws {
        try withLab(containers: 2) { lab in
            let network = lab.ipv4Network()
            var first = SetupSpec(container: "c1", [network.attach(host: 2)])
            first.portMappings = [Self.mapping("tcp", 8000)]
            var second = SetupSpec(container: "c2", [network.attach(host: 3)])
            second.portMappings = [Self.mapping("tcp", 8001)]
            _ = try lab.setUp(lab.container(1), first)
            _ = try lab.setUp(lab.container(2), second)
            try lab.tearDown(lab.container(1), first)

            let servers = try [
                lab.listen(in: lab.container(2), ports: [80]),
                lab.listen(in: lab.upstream, ports: [82]),
            ]
            defer {
                for server in servers {
                    server.terminate()
                    _ = server.wait()
                }
            }
            let out = try lab.probe(
                from: lab.container(2),
                [Probe(id: "out", transport: "tcp", address: Lab.upstreamIPv4, port: 82)])
            #expect(out["out"] ?? nil == ProbeAnswer(peer: Lab.uplinkIPv4, port: 82))
            let published = try lab.probe(
                from: lab.upstream,
                [
                    Probe(id: "kept", transport: "tcp", address: Lab.uplinkIPv4, port: 8001),
                    Probe(id: "gone", transport: "tcp", address: Lab.uplinkIPv4, port: 8000),
                ])
            #expect(published["kept"] ?? nil == ProbeAnswer(peer: Lab.upstreamIPv4, port: 80))
            #expect(published["gone"] ?? nil == nil)
        }
    }

    /// host_ip "0.0.0.0" answers on 127.0.0.1, and no rule matches the literal address.
    @Test func unspecifiedHostIPReachesLoopbackAndIsNeverALiteral() throws {
        try withLab(containers: 1) { lab in
            var spec = SetupSpec(container: "c1", [lab.ipv4Network().attach(host: 2)])
            spec.portMappings = [Self.mapping("tcp", 8000, hostIP: "0.0.0.0")]
            _ = try lab.setUp(lab.container(1), spec)
            let server = try lab.listen(in: lab.container(1), ports: [80])
            defer {
                server.terminate()
                _ = server.wait()
            }
            let answers = try lab.probe(
                from: lab.host,
                [Probe(id: "lo", transport: "tcp", address: "127.0.0.1", port: 8000)])
            #expect(answers["lo"] ?? nil == ProbeAnswer(peer: "10.88.0.1", port: 80))
            let rules = try lab.ruleset()
            #expect(rules.contains("8000"))
            #expect(!rules.contains("0.0.0.0"))
        }
    }

    /// The same host port for tcp and for udp: after teardown no rule mentions it, while
    /// another container keeps the network's rules (and the table) in place.
    @Test func samePortForTcpAndUdpLeavesNothingAfterTeardown() throws {
        try withLab(containers: 2) { lab in
            let network = lab.dualStackNetwork()
            var first = SetupSpec(container: "c1", [network.attach(host: 2)])
            first.portMappings = [Self.mapping("tcp", 8642), Self.mapping("udp", 8642)]
            var second = SetupSpec(container: "c2", [network.attach(host: 3)])
            second.portMappings = [Self.mapping("udp", 8001)]
            _ = try lab.setUp(lab.container(1), first)
            _ = try lab.setUp(lab.container(2), second)
            let before = try lab.ruleset()
            #expect(before.contains("8642"))

            try lab.tearDown(lab.container(1), first)
            let after = try lab.ruleset()
            #expect(!after.contains("8642"), "\(after)")
            #expect(after.contains("8001"))
        }
    }

    /// `nft flush ruleset` drops every published port; `ferry firewall-reload` restores them.
    @Test func firewallReloadAfterFlushBringsPortsBack() throws {
        try withLab(containers: 1) { lab in
            var spec = SetupSpec(container: "c1", [lab.dualStackNetwork().attach(host: 2)])
            spec.portMappings = [Self.mapping("tcp", 8000), Self.mapping("udp", 8000)]
            _ = try lab.setUp(lab.container(1), spec)
            let server = try lab.listen(in: lab.container(1), ports: [80])
            defer {
                server.terminate()
                _ = server.wait()
            }
            let probes = ["tcp", "udp"].flatMap { transport in
                [Lab.uplinkIPv4, Lab.uplinkIPv6].map {
                    Probe(id: "\(transport)-\($0)", transport: transport, address: $0, port: 8000)
                }
            }

            try Lab.check(["ip", "netns", "exec", lab.host, "nft", "flush", "ruleset"])
            for (id, answer) in try lab.probe(from: lab.upstream, probes) {
                #expect(answer == nil, "\(id) works without rules?")
            }

            try lab.firewallReload()
            for (id, answer) in try lab.probe(from: lab.upstream, probes) {
                let peer = id.contains(":") ? Lab.upstreamIPv6 : Lab.upstreamIPv4
                #expect(answer == ProbeAnswer(peer: peer, port: 80), "\(id) after reload")
            }
        }
    }

    /// `--firewall-driver none` and `NETAVARK_FW=none` set up without rules; an unknown
    /// driver is a clear error that changes nothing; the flag wins over the variable.
    @Test func firewallDriverChoice() throws {
        try withLab(containers: 4) { lab in
            let network = lab.ipv4Network()
            func spec(_ number: Int) -> SetupSpec {
                var spec = SetupSpec(container: "c\(number)", [network.attach(host: 1 + number)])
                spec.portMappings = [Self.mapping("tcp", 8000 + number)]
                return spec
            }
            let baseline = try Snapshot.take(lab.host)
            let bogus = try lab.start(
                "setup", lab.container(1), spec: spec(1).json,
                options: ["--firewall-driver", "ipfw"]
            ).wait()
            expectErrorAnswer(bogus)
            #expect(bogus.stdout.contains("ipfw"), "\(bogus.stdout)")
            let bogusVariable = try lab.start(
                "setup", lab.container(1), spec: spec(1).json, environment: ["NETAVARK_FW": "pf"]
            ).wait()
            expectErrorAnswer(bogusVariable)
            #expect(bogusVariable.stdout.contains("NETAVARK_FW"), "\(bogusVariable.stdout)")
            try lab.expectNothingLeft(host: baseline)
            #expect(try lab.tables().isEmpty)

            let flagged = try lab.start(
                "setup", lab.container(2), spec: spec(2).json,
                environment: ["NETAVARK_FW": "nftables"], options: ["--firewall-driver", "none"]
            ).wait()
            #expect(flagged.status == 0, "\(flagged.stdout) \(flagged.stderr)")
            let variable = try lab.start(
                "setup", lab.container(3), spec: spec(3).json, environment: ["NETAVARK_FW": "none"]
            ).wait()
            #expect(variable.status == 0, "\(variable.stdout) \(variable.stderr)")
            #expect(try lab.tables().isEmpty)

            // The control: the default driver does make the table.
            _ = try lab.setUp(lab.container(4), spec(4))
            #expect(try lab.tables() == ["table inet ferry"])
        }
    }
}
