import Foundation
import Testing

/// Network and per-network options of the bridge driver, each checked with `ip -j`.
// Root only: the tests create network namespaces, veths and bridges.
@Suite(.enabled(if: TestEnvironment.isRoot, "needs root to create network namespaces"))
struct BridgeOptionTests {
    /// Sets up one container with `network`, runs `check`, tears down, expects nothing left.
    func withAttached(
        _ make: (Lab) -> NetworkSpec, _ check: (Lab, Attachment, [String: Any]) throws -> Void
    ) throws {
        try withLab { lab in
            let baseline = try Snapshot.take(lab.host)
            let attachment = make(lab).attach(host: 2)
            let spec = SetupSpec(container: "c1", [attachment])
            let answer = try lab.setUp(lab.container(1), spec)
            try check(lab, attachment, answer)
            try lab.tearDown(lab.container(1), spec)
            try lab.expectNothingLeft(host: baseline)
        }
    }

    /// An internal network has no default route, but the gateway is still reachable.
    @Test func internalNetwork() throws {
        try withAttached({ lab in
            var network = lab.dualStackNetwork()
            network.isInternal = true
            return network
        }) { lab, attachment, answer in
            try lab.expectAttached(
                attachment, in: lab.container(1), answer: answer, Expected(defaultRoute: false))
            let subnetRoutes = try NamespaceState.routes(lab.container(1), family: 4)
            #expect(subnetRoutes.contains { $0.destination == "10.88.0.0/24" })
            #expect(try Traffic.echoes(from: lab.container(1), to: lab.host, address: "10.88.0.1"))
        }
    }

    /// `no_default_route` leaves out the default routes on a network that is not internal.
    @Test func noDefaultRoute() throws {
        try withAttached({ lab in
            var network = lab.dualStackNetwork()
            network.options["no_default_route"] = "true"
            return network
        }) { lab, attachment, answer in
            try lab.expectAttached(
                attachment, in: lab.container(1), answer: answer, Expected(defaultRoute: false))
            #expect(try Traffic.echoes(from: lab.container(1), to: lab.host, address: "fd00:88::1"))
        }
    }

    /// `metric` sets the default routes' metric in both families.
    @Test func metricOption() throws {
        try withAttached({ lab in
            var network = lab.dualStackNetwork()
            network.options["metric"] = "250"
            return network
        }) { lab, attachment, answer in
            try lab.expectAttached(
                attachment, in: lab.container(1), answer: answer, Expected(metric: 250))
        }
    }

    /// Without an `mtu` option the bridge and veths take the MTU of the default route's
    /// interface: the lab's uplink has 1400.
    @Test func mtuFromDefaultRoute() throws {
        try withAttached({ $0.ipv4Network() }) { lab, attachment, answer in
            try lab.expectAttached(
                attachment, in: lab.container(1), answer: answer, Expected(mtu: Lab.uplinkMTU))
            #expect(try NamespaceState.link(lab.bridge(), in: lab.host)?.mtu == 1400)
        }
    }

    /// The `mtu` option wins over the default route's interface.
    @Test func mtuOption() throws {
        try withAttached({ lab in
            var network = lab.ipv4Network()
            network.options["mtu"] = "1280"
            return network
        }) { lab, attachment, answer in
            try lab.expectAttached(
                attachment, in: lab.container(1), answer: answer, Expected(mtu: 1280))
        }
    }

    /// `routes[]` in network_info: unicast via the gateway, blackhole, unreachable, prohibit.
    @Test func staticRoutes() throws {
        try withAttached({ lab in
            var network = lab.dualStackNetwork()
            network.routes = [
                .init(destination: "10.99.0.0/16", gateway: "10.88.0.1", metric: 50),
                .init(destination: "fd00:99::/64", gateway: "fd00:88::1"),
                .init(destination: "10.98.0.0/16", type: "blackhole"),
                .init(destination: "10.97.0.0/16", type: "unreachable"),
                .init(destination: "10.96.0.0/16", type: "prohibit"),
            ]
            return network
        }) { lab, attachment, answer in
            try lab.expectAttached(attachment, in: lab.container(1), answer: answer)
            let routes = try NamespaceState.routes(lab.container(1), family: 4)
            let byDestination = Dictionary(
                routes.map { ($0.destination, $0) }, uniquingKeysWith: { first, _ in first })
            let unicast = byDestination["10.99.0.0/16"]
            #expect(unicast?.type == "unicast")
            #expect(unicast?.gateway == "10.88.0.1")
            #expect(unicast?.device == "eth0")
            #expect(unicast?.metric == 50)
            #expect(byDestination["10.98.0.0/16"]?.type == "blackhole")
            #expect(byDestination["10.97.0.0/16"]?.type == "unreachable")
            #expect(byDestination["10.96.0.0/16"]?.type == "prohibit")
            let routes6 = try NamespaceState.routes(lab.container(1), family: 6)
            #expect(
                routes6.contains {
                    $0.destination == "fd00:99::/64" && $0.gateway == "fd00:88::1"
                })
        }
    }

    /// `mode=unmanaged`: the bridge exists beforehand (made here, with the gateway), the
    /// plugin only attaches the veth, and teardown never removes the bridge.
    @Test func unmanagedBridge() throws {
        try withLab { lab in
            let bridge = lab.bridge()
            try lab.ip(lab.host, "link", "add", bridge, "type", "bridge")
            try lab.ip(lab.host, "link", "set", bridge, "address", "02:00:5e:00:00:01")
            try lab.ip(lab.host, "link", "set", bridge, "mtu", "1400", "up")
            try lab.ip(lab.host, "addr", "add", "10.88.0.1/24", "dev", bridge)
            // The kernel drops a bridge's carrier when its last port leaves; settle that
            // with a throwaway port first, so the baseline is what teardown must restore.
            // A port that comes up also gives the bridge its IPv6 link-local address.
            try lab.ip(lab.host, "link", "add", "fytmp0", "type", "veth", "peer", "fytmp1")
            try lab.ip(lab.host, "link", "set", "fytmp0", "master", bridge, "up")
            try lab.ip(lab.host, "link", "set", "fytmp1", "up")
            for _ in 0..<300 {
                let addresses = try NamespaceState.addresses(lab.host)
                if addresses.contains(where: { $0.interface == bridge && $0.scope == "link" }) {
                    break
                }
                usleep(10_000)
            }
            try lab.ip(lab.host, "link", "del", "fytmp0")
            let baseline = try Snapshot.take(lab.host)

            var network = lab.ipv4Network()
            network.options["mode"] = "unmanaged"
            let attachment = network.attach(host: 2)
            let spec = SetupSpec(container: "c1", [attachment])
            let answer = try lab.setUp(lab.container(1), spec)
            try lab.expectAttached(attachment, in: lab.container(1), answer: answer)
            #expect(try Traffic.echoes(from: lab.container(1), to: lab.host, address: "10.88.0.1"))

            try lab.tearDown(lab.container(1), spec)

            // The bridge stays as it was made: kind, MAC, MTU, its address, no port.
            let kept = try #require(try NamespaceState.link(bridge, in: lab.host))
            #expect(kept.kind == "bridge" && kept.mac == "02:00:5e:00:00:01" && kept.mtu == 1400)
            #expect(try NamespaceState.links(lab.host).allSatisfy { $0.master != bridge })
            let addresses = try NamespaceState.addresses(lab.host).filter {
                $0.interface == bridge && $0.scope == "global"
            }
            #expect(addresses.map(\.cidr) == ["10.88.0.1/24"])
            // The rest exactly as before, but for what the kernel settles in the background
            // once the bridge's last port has left: its carrier and operstate (linkwatch,
            // up to a second) and the IPv6 link-local routes that follow them.
            try lab.expectNothingLeft(
                host: baseline,
                ignoring: { line in
                    line.hasPrefix("link \(bridge) ")
                        || (line.hasPrefix("route -6 ") && line.contains(" dev \(bridge) "))
                })
        }
    }
}
