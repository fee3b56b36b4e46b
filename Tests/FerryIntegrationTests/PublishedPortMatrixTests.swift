import Foundation
import Testing

/// Published ports through `ferry setup`, cell by cell against the table below.
///
/// Each row is one lab: a container (`ctr1`, host part 2) publishing, for tcp and for udp,
/// one port (8000 → 80) and a range (9000-9002 → 90-92, probed at its last port), with the
/// row's `host_ip`; a second container (`ctr2`, host part 3) on the same bridge; the fake
/// host with a second address on its uplink (10.250.0.3, fd00:250::3) that the "specific
/// address" rows publish on; and the uplink's peer, a namespace routed through the fake host.
/// Every column is probed with tcp and udp, single port and range: the four must agree.
///
/// K connects and the server sees the client's own address; W connects and it sees the
/// network's gateway (masquerade); `-` is refused. A row of `setup fails` is a `host_ip`
/// of a family the container does not have: Ferry refuses the whole setup with an error.
/// (netavark 1.4 accepts it and publishes nothing; a clear error is the kinder answer.)
/// 127.0.0.1 is rewritten to the gateway (route_localnet lets it leave loopback); ::1
/// cannot work: IPv6 has no route_localnet, so the kernel drops it as netavark's users see.
/// From a container (hairpin) the source is rewritten, else the reply would bypass the host.
/// Transport and single port or range never change an outcome: all four are probed alike.
enum PortMatrix {
    /// The columns: who connects, to which address of the fake host.
    static let columns: [(source: Source, target: Target)] = [
        (.host, .loopback4), (.host, .loopback6), (.host, .uplink4), (.host, .uplink6),
        (.host, .extra4), (.host, .extra6),
        (.outside, .uplink4), (.outside, .uplink6), (.outside, .extra4), (.outside, .extra6),
        (.container, .uplink4), (.container, .uplink6), (.container, .extra4),
        (.container, .extra6),
    ]

    static let table: [Row] = [
        // family host_ip         from the host      | from outside | from ctr2 (hairpin)
        //                        lo4 lo6 up4 up6 ex4 ex6 | up4 up6 ex4 ex6 | up4 up6 ex4 ex6
        Row(.ipv4, "", "W - K - K - | K - K - | W - W -"),
        Row(.ipv4, "0.0.0.0", "W - K - K - | K - K - | W - W -"),
        Row(.ipv4, "::", "setup fails"),
        Row(.ipv4, "127.0.0.1", "W - - - - - | - - - - | - - - -"),
        Row(.ipv4, "10.250.0.3", "- - - - K - | - - K - | - - W -"),
        Row(.ipv6, "", "- - - K - K | - K - K | - W - W"),
        Row(.ipv6, "0.0.0.0", "setup fails"),
        Row(.ipv6, "::", "- - - K - K | - K - K | - W - W"),
        Row(.ipv6, "127.0.0.1", "setup fails"),
        Row(.ipv6, "fd00:250::3", "- - - - - K | - - - K | - - - W"),
        Row(.dualStack, "", "W - K K K K | K K K K | W W W W"),
        Row(.dualStack, "0.0.0.0", "W - K - K - | K - K - | W - W -"),
        Row(.dualStack, "::", "- - - K - K | - K - K | - W - W"),
        Row(.dualStack, "127.0.0.1", "W - - - - - | - - - - | - - - -"),
        Row(.dualStack, "10.250.0.3", "- - - - K - | - - K - | - - W -"),
    ]

    enum Family: String, Sendable { case ipv4, ipv6, dualStack = "dual" }
    enum Source: String, Sendable { case host, outside, container }
    enum Target: String, Sendable {
        case loopback4, loopback6, uplink4, uplink6, extra4, extra6

        var address: String {
            switch self {
            case .loopback4: "127.0.0.1"
            case .loopback6: "::1"
            case .uplink4: Lab.uplinkIPv4
            case .uplink6: Lab.uplinkIPv6
            case .extra4: "10.250.0.3"
            case .extra6: "fd00:250::3"
            }
        }
        var isIPv6: Bool { address.contains(":") }
    }

    enum Outcome: String, Sendable { case kept = "K", rewritten = "W", refused = "-" }

    struct Row: Sendable, CustomTestStringConvertible {
        let family: Family
        let hostIP: String
        /// One outcome per column; nil when setup itself must fail.
        let outcomes: [Outcome]?

        init(_ family: Family, _ hostIP: String, _ cells: String) {
            self.family = family
            self.hostIP = hostIP
            if cells == "setup fails" {
                outcomes = nil
                return
            }
            let parsed = cells.split(separator: " ").filter { $0 != "|" }
                .map { Outcome(rawValue: String($0)) }
            precondition(parsed.count == columns.count && !parsed.contains(nil), cells)
            outcomes = parsed.map { $0! }
        }

        var testDescription: String { "\(family.rawValue) host_ip \"\(hostIP)\"" }
    }
}

// Root only: the tests create network namespaces, bridges and nft rules in them.
@Suite(.enabled(if: TestEnvironment.isRoot, "needs root to create network namespaces"))
struct PublishedPortMatrixTests {
    /// host port → the container port a probe of it must reach.
    static let probedPorts = [("single", 8000, 80), ("range", 9002, 92)]

    @Test(arguments: PortMatrix.table)
    func publishedPortCell(_ row: PortMatrix.Row) throws {
        try withLab(containers: 2) { lab in
            let network =
                switch row.family {
                case .ipv4: lab.ipv4Network()
                case .ipv6: lab.ipv6Network()
                case .dualStack: lab.dualStackNetwork()
                }
            var server = SetupSpec(container: "c1", [network.attach(host: 2)])
            for transport in ["tcp", "udp"] {
                server.portMappings += [
                    [
                        "host_ip": row.hostIP, "container_port": "80", "host_port": "8000",
                        "range": "1", "protocol": transport,
                    ],
                    [
                        "host_ip": row.hostIP, "container_port": "90", "host_port": "9000",
                        "range": "3", "protocol": transport,
                    ],
                ]
            }
            guard let outcomes = row.outcomes else {
                let baseline = try Snapshot.take(lab.host)
                expectErrorAnswer(try lab.run("setup", lab.container(1), spec: server.json))
                #expect(try !lab.tables().contains("table inet ferry"))
                try lab.expectNothingLeft(host: baseline)
                return
            }
            try lab.ip(lab.host, "addr", "add", "10.250.0.3/24", "dev", Lab.uplink)
            try lab.ip(lab.host, "-6", "addr", "add", "fd00:250::3/64", "dev", Lab.uplink, "nodad")
            _ = try lab.setUp(lab.container(1), server)
            let neighbour = SetupSpec(container: "c2", [network.attach(host: 3)])
            _ = try lab.setUp(lab.container(2), neighbour)
            let listener = try lab.listen(in: lab.container(1), ports: [80, 90, 91, 92])
            defer {
                listener.terminate()
                _ = listener.wait()
            }
            try check(row, outcomes, network: network, lab: lab)
        }
    }

    private func check(
        _ row: PortMatrix.Row, _ outcomes: [PortMatrix.Outcome], network: NetworkSpec, lab: Lab
    ) throws {
        let namespaces: [PortMatrix.Source: String] = [
            .host: lab.host, .outside: lab.upstream, .container: lab.container(2),
        ]
        // Every probe of a column, for each source at once.
        var probes: [PortMatrix.Source: [Probe]] = [:]
        for (index, column) in PortMatrix.columns.enumerated() {
            for transport in ["tcp", "udp"] {
                for (size, hostPort, _) in Self.probedPorts {
                    probes[column.source, default: []].append(
                        Probe(
                            id: "\(index)-\(transport)-\(size)", transport: transport,
                            address: column.target.address, port: hostPort))
                }
            }
        }
        let pending = try probes.map { source, list in
            try lab.start(probe: list, from: namespaces[source]!)
        }
        var answers: [String: ProbeAnswer?] = [:]
        for running in pending {
            answers.merge(try running.answers()) { first, _ in first }
        }

        for (index, column) in PortMatrix.columns.enumerated() {
            let family = column.target.isIPv6 ? 6 : 4
            let clientAddress: String? =
                switch column.source {
                // 10.250.0.3 is the uplink's second IPv4 address: for it the kernel
                // picks the primary one, 10.250.0.2, as the source (no rule rewrites it).
                case .host: column.target == .extra4 ? Lab.uplinkIPv4 : column.target.address
                case .outside: family == 4 ? Lab.upstreamIPv4 : Lab.upstreamIPv6
                case .container:
                    network.attach(host: 3).staticIPs.first { $0.contains(":") == (family == 6) }
                }
            for transport in ["tcp", "udp"] {
                for (size, _, containerPort) in Self.probedPorts {
                    let answer = answers["\(index)-\(transport)-\(size)"] ?? nil
                    let expected: ProbeAnswer? =
                        switch outcomes[index] {
                        case .refused: nil
                        case .kept: clientAddress.map { ProbeAnswer(peer: $0, port: containerPort) }
                        case .rewritten:
                            network.gateway(family: family).map {
                                ProbeAnswer(peer: $0, port: containerPort)
                            }
                        }
                    #expect(
                        answer == expected,
                        """
                        \(row.testDescription), \(transport) \(size), from \(column.source) \
                        to \(column.target.address): expected \(outcomes[index].rawValue) \
                        (\(expected?.description ?? "refused")), \
                        got \(answer?.description ?? "refused")
                        """)
                }
            }
        }
    }
}
