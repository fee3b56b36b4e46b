import Foundation
import Testing

/// The macvlan driver with a veth standing in for the parent (this kernel has no dummy
/// module): the lab's uplink `fyup0`, whose peer in the upstream namespace plays the LAN.
// Root only: the tests create network namespaces and links.
@Suite(.enabled(if: TestEnvironment.isRoot, "needs root to create network namespaces"))
struct MacvlanTests {
    /// A macvlan network on the uplink's own subnet, so the upstream peer is its gateway.
    func lanNetwork(_ lab: Lab, parent: String?) -> NetworkSpec {
        var network = NetworkSpec(
            name: "fymv", bridge: parent ?? "",
            subnets: [.init(subnet: "10.250.0.0/24", gateway: Lab.upstreamIPv4)])
        network.driver = "macvlan"
        return network
    }

    @Test func twoContainersOnTheParentReachTheLANAndEachOther() throws {
        try withLab(containers: 2) { lab in
            let baseline = try Snapshot.take(lab.host)
            var network = lanNetwork(lab, parent: Lab.uplink)
            network.options["mtu"] = "1300"
            let first = SetupSpec(container: "c1", [network.attach(host: 50)])
            let second = SetupSpec(container: "c2", [network.attach(host: 51)])
            let answer = try lab.setUp(lab.container(1), first)
            _ = try lab.setUp(lab.container(2), second)

            // The answer, the link's kind, mode, MTU and default route.
            let block = try #require(answer["fymv"] as? [String: Any])
            let interfaces = try #require(block["interfaces"] as? [String: Any])
            #expect(interfaces.keys.sorted() == ["eth0"])
            let details = try lab.ip(lab.container(1), "-d", "-j", "link", "show", "eth0")
            #expect(details.contains("\"info_kind\":\"macvlan\""))
            #expect(details.contains("\"mode\":\"bridge\""))
            #expect(details.contains("\"mtu\":1300"))
            let routes = try NamespaceState.defaultRoutes(lab.container(1), family: 4)
            #expect(routes.map(\.summary) == ["unicast default via 10.250.0.1 dev eth0 metric 100"])

            // Out through the parent to the LAN, and container to container.
            #expect(
                try Traffic.echoes(from: lab.container(1), to: lab.upstream, address: "10.250.0.1"))
            #expect(
                try Traffic.echoes(
                    from: lab.container(1), to: lab.container(2), address: "10.250.0.51"))

            try lab.tearDown(lab.container(1), first)
            try lab.tearDown(lab.container(2), second)
            try lab.expectNothingLeft(host: baseline)
        }
    }

    /// No `network_interface`: the parent is the interface of the default route. The
    /// container's `eth0` lives beside a host link also named `eth0` without clashing.
    @Test func parentFromTheDefaultRouteAndANameTheHostAlsoUses() throws {
        try withLab { lab in
            try lab.ip(lab.host, "link", "add", "eth0", "type", "veth", "peer", "fyother")
            let baseline = try Snapshot.take(lab.host)
            var network = lanNetwork(lab, parent: nil)
            network.options["mode"] = "private"
            let spec = SetupSpec(container: "c1", [network.attach(as: "eth0", host: 60)])
            _ = try lab.setUp(lab.container(1), spec)

            let details = try lab.ip(lab.container(1), "-d", "-j", "link", "show", "eth0")
            #expect(details.contains("\"mode\":\"private\""))
            #expect(
                try Traffic.echoes(from: lab.container(1), to: lab.upstream, address: "10.250.0.1"))

            try lab.tearDown(lab.container(1), spec)
            try lab.expectNothingLeft(host: baseline)
        }
    }

    @Test func badModeAndMissingParentAreClearErrors() throws {
        try withLab { lab in
            let baseline = try Snapshot.take(lab.host)
            var bogus = lanNetwork(lab, parent: Lab.uplink)
            bogus.options["mode"] = "bogus"
            let refused = try lab.run(
                "setup", lab.container(1),
                spec: SetupSpec(container: "c1", [bogus.attach(host: 50)]).json)
            expectErrorAnswer(refused)
            #expect(refused.stdout.contains("invalid option mode=\\\"bogus\\\""))

            let missing = lanNetwork(lab, parent: "fynosuch0")
            let failed = try lab.run(
                "setup", lab.container(1),
                spec: SetupSpec(container: "c1", [missing.attach(host: 50)]).json)
            expectErrorAnswer(failed)
            #expect(failed.stdout.contains("parent interface fynosuch0 does not exist"))
            try lab.expectNothingLeft(host: baseline)
        }
    }
}
