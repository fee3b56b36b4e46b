import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// The netlink layer against the real kernel, through netlink-probe run in namespaces
/// made per test. Root only: creating namespaces and links needs CAP_NET_ADMIN.
@Suite(.enabled(if: TestPaths.isRoot, "creating namespaces needs root"))
struct NetlinkProbeTests {
    let probe: String

    init() throws {
        let built = try #require(TestPaths.product("netlink-probe"), "netlink-probe is not built")
        probe = built.path
    }

    @Test func duplicateAddressCarriesTheKernelErrno() throws {
        let host = try TestNamespace("nlhost")
        try host.run([probe, "bridge-add", "br0", "1400"])
        try host.run([probe, "address-add", "br0", "10.5.0.1/24"])

        let again = try host.exec([probe, "address-add", "br0", "10.5.0.1/24"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("adding address 10.5.0.1/24 to br0: File exists (errno 17)"))

        let links = try host.ipJSON("link")
        let bridge = try #require(links.first { $0["ifname"] as? String == "br0" })
        #expect(bridge["mtu"] as? Int == 1400)
    }

    @Test func vethPeerIsBornInsideTheOtherNamespace() throws {
        let host = try TestNamespace("nlhost")
        let container = try TestNamespace("nlctr")
        try host.run([probe, "veth-add", "eth7", container.path, "hostend7"])

        let inside = try container.ipJSON("link").compactMap { $0["ifname"] as? String }
        let outside = try host.ipJSON("link").compactMap { $0["ifname"] as? String }
        #expect(inside.contains("eth7"))
        #expect(!outside.contains("eth7"))
        #expect(outside.contains("hostend7"))

        // Deleting one end takes the pair.
        try host.run([probe, "link-del", "hostend7"])
        #expect(!(try container.ipJSON("link").contains { $0["ifname"] as? String == "eth7" }))
    }

    @Test func routesOfEveryKind() throws {
        let host = try TestNamespace("nlhost")
        try host.run([probe, "bridge-add", "br0"])
        try host.run([probe, "address-add", "br0", "10.6.0.1/24"])
        try host.run(["ip", "link", "set", "br0", "up"])
        try host.run([probe, "route-add", "10.9.0.0/16", "10.6.0.7"])
        try host.run([probe, "route-add", "10.10.0.0/16", "blackhole"])
        try host.run([probe, "route-add", "10.11.0.0/16", "unreachable"])
        try host.run([probe, "route-add", "10.12.0.0/16", "prohibit"])

        let routes = try host.ipJSON("route")
        func route(_ destination: String) -> [String: Any]? {
            routes.first { $0["dst"] as? String == destination }
        }
        #expect(route("10.9.0.0/16")?["gateway"] as? String == "10.6.0.7")
        #expect(route("10.10.0.0/16")?["type"] as? String == "blackhole")
        #expect(route("10.11.0.0/16")?["type"] as? String == "unreachable")
        #expect(route("10.12.0.0/16")?["type"] as? String == "prohibit")
    }

    @Test func unreachableGatewayIsTheKernelsRefusal() throws {
        let host = try TestNamespace("nlhost")
        let result = try host.exec([probe, "route-add", "10.9.0.0/16", "10.99.0.1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Network is unreachable (errno 101)"))
    }

    @Test func routeListReadsWhatTheKernelHas() throws {
        let host = try TestNamespace("nlhost")
        try host.run(["ip", "link", "add", "d0", "type", "bridge"])
        try host.run(["ip", "addr", "add", "10.7.0.1/24", "dev", "d0"])
        try host.run(["ip", "link", "set", "d0", "up"])
        try host.run(["ip", "route", "add", "10.8.0.0/16", "via", "10.7.0.9", "metric", "33"])
        try host.run(["ip", "route", "add", "default", "via", "10.7.0.254"])

        let listed = try host.run([probe, "routes"])
        #expect(listed.contains("10.8.0.0/16 via 10.7.0.9 metric 33"))
        // A default route has no RTA_DST attribute; it must still read as 0.0.0.0/0.
        #expect(listed.contains("0.0.0.0/0 via 10.7.0.254"))
        let addresses = try host.run([probe, "addresses"])
        #expect(addresses.contains("10.7.0.1/24"))
    }
}
