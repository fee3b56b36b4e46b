import Foundation
import Testing

/// `isolate` and `internal` with real traffic: echo servers in each container (port 80),
/// on the fake host (81, reached through a network's gateway) and on the uplink's peer
/// (82, the outside world).
// Root only: the tests create network namespaces, bridges and nft rules in them.
@Suite(.enabled(if: TestEnvironment.isRoot, "needs root to create network namespaces"))
struct IsolationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let first: String
        let second: String
        /// Whether a container of each network reaches the other's container.
        let firstReachesSecond: Bool
        let secondReachesFirst: Bool

        var testDescription: String { "isolate \(first) and \(second)" }
    }

    /// netavark's meaning: isolated networks cannot reach each other, a strict one reaches
    /// no other network (and its replies to one are dropped too), an isolated network can
    /// still talk to one that is not isolated; two open networks (the control) talk.
    static let cases = [
        Case(first: "true", second: "true", firstReachesSecond: false, secondReachesFirst: false),
        Case(
            first: "strict", second: "false", firstReachesSecond: false,
            secondReachesFirst: false),
        Case(first: "true", second: "false", firstReachesSecond: true, secondReachesFirst: true),
        Case(first: "false", second: "false", firstReachesSecond: true, secondReachesFirst: true),
    ]

    @Test(arguments: cases)
    func isolatedNetworks(_ test: Case) throws {
        try withLab(containers: 2) { lab in
            var first = lab.ipv4Network(0)
            first.options["isolate"] = test.first
            var second = lab.ipv4Network(1)
            second.options["isolate"] = test.second
            _ = try lab.setUp(lab.container(1), SetupSpec(container: "c1", [first.attach(host: 2)]))
            _ = try lab.setUp(
                lab.container(2), SetupSpec(container: "c2", [second.attach(host: 2)]))
            let servers = try [
                lab.listen(in: lab.container(1), ports: [80]),
                lab.listen(in: lab.container(2), ports: [80]),
                lab.listen(in: lab.host, ports: [81]), lab.listen(in: lab.upstream, ports: [82]),
            ]
            defer {
                for server in servers {
                    server.terminate()
                    _ = server.wait()
                }
            }

            for (number, own, other, reaches) in [
                (1, first, second, test.firstReachesSecond),
                (2, second, first, test.secondReachesFirst),
            ] {
                let answers = try lab.probe(
                    from: lab.container(number),
                    [
                        Probe(
                            id: "other", transport: "tcp", address: other.subnets[0].address(2),
                            port: 80),
                        Probe(
                            id: "gateway", transport: "tcp", address: own.subnets[0].address(1),
                            port: 81),
                        Probe(id: "outside", transport: "tcp", address: Lab.upstreamIPv4, port: 82),
                    ])
                let from = "from \(own.name) (isolate \(own.options["isolate"] ?? "-"))"
                #expect((answers["other"] ?? nil != nil) == reaches, "\(from) to \(other.name)")
                #expect(answers["gateway"] ?? nil != nil, "\(from) to its gateway")
                #expect(
                    answers["outside"] ?? nil == ProbeAnswer(peer: Lab.uplinkIPv4, port: 82),
                    "\(from) to the outside, masqueraded")
            }
        }
    }

    /// An internal network reaches its gateway and nothing beyond, even when the container
    /// itself has a route out: the firewall drops what would be forwarded.
    @Test func internalNetworkHasNoWayOut() throws {
        try withLab(containers: 1) { lab in
            var network = lab.dualStackNetwork()
            network.isInternal = true
            _ = try lab.setUp(
                lab.container(1), SetupSpec(container: "c1", [network.attach(host: 2)]))
            try lab.ip(lab.container(1), "route", "add", "10.250.0.0/24", "via", "10.88.0.1")
            try lab.ip(lab.container(1), "-6", "route", "add", "fd00:250::/64", "via", "fd00:88::1")
            let servers = try [
                lab.listen(in: lab.host, ports: [81]), lab.listen(in: lab.upstream, ports: [82]),
            ]
            defer {
                for server in servers {
                    server.terminate()
                    _ = server.wait()
                }
            }
            let answers = try lab.probe(
                from: lab.container(1),
                ["10.88.0.1", "fd00:88::1"].map {
                    Probe(id: "gateway-\($0)", transport: "tcp", address: $0, port: 81)
                }
                    + [Lab.upstreamIPv4, Lab.upstreamIPv6, Lab.uplinkIPv4].flatMap { address in
                        ["tcp", "udp"].map {
                            Probe(
                                id: "out-\($0)-\(address)", transport: $0, address: address,
                                port: 82)
                        }
                    })
            for (id, answer) in answers {
                if id.hasPrefix("gateway") {
                    #expect(answer != nil, "\(id) is reachable")
                } else if id.hasSuffix(Lab.uplinkIPv4) {
                    // The host's own address is the host: like the gateway, not beyond it.
                    #expect(answer == nil, "\(id): nothing listens on 82 on the host")
                } else {
                    #expect(answer == nil, "\(id) must not get out")
                }
            }
            let rules = try lab.ruleset()
            #expect(!rules.contains("masquerade"))
        }
    }
}
