import Foundation
import Testing

/// Bridge setup end to end: the plugin runs in a fake host namespace, the checks read
/// `ip -j` in children, and TCP goes between the lab's namespaces only.
// Root only: the tests create network namespaces, veths and bridges.
@Suite(.enabled(if: TestEnvironment.isRoot, "needs root to create network namespaces"))
struct BridgeSetupTests {
    /// Two containers on one network: wired, talking to the gateway and to each other, and
    /// gone without a trace after teardown.
    func checkOneNetwork(_ make: (Lab) -> NetworkSpec) throws {
        try withLab(containers: 2) { lab in
            let baseline = try Snapshot.take(lab.host)
            let network = make(lab)
            let first = SetupSpec(container: "c1", [network.attach(host: 2)])
            let second = SetupSpec(container: "c2", [network.attach(host: 3)])

            let answer1 = try lab.setUp(lab.container(1), first)
            let answer2 = try lab.setUp(lab.container(2), second)
            try lab.expectAttached(first.attachments[0], in: lab.container(1), answer: answer1)
            try lab.expectAttached(second.attachments[0], in: lab.container(2), answer: answer2)
            let ports = try NamespaceState.links(lab.host).filter { $0.master == network.bridge }
            #expect(ports.count == 2)

            for (subnet, peerIP) in zip(network.subnets, second.attachments[0].staticIPs) {
                let gateway = try #require(subnet.gateway)
                #expect(
                    try Traffic.echoes(from: lab.container(1), to: lab.host, address: gateway))
                #expect(
                    try Traffic.echoes(
                        from: lab.container(1), to: lab.container(2), address: peerIP))
            }

            try lab.tearDown(lab.container(1), first)
            try lab.tearDown(lab.container(2), second)
            try lab.expectNothingLeft(host: baseline)
        }
    }

    @Test func ipv4() throws {
        try checkOneNetwork { $0.ipv4Network() }
    }

    @Test func ipv6() throws {
        try checkOneNetwork { $0.ipv6Network() }
    }

    @Test func dualStack() throws {
        try checkOneNetwork { $0.dualStackNetwork() }
    }

    /// One container on two networks gets eth0 and eth1, each on its own bridge.
    @Test func twoNetworksOnOneContainer() throws {
        try withLab { lab in
            let baseline = try Snapshot.take(lab.host)
            let spec = SetupSpec(
                container: "c1",
                [
                    lab.ipv4Network(0).attach(as: "eth0", host: 2),
                    lab.dualStackNetwork(1).attach(as: "eth1", host: 2),
                ])
            let answer = try lab.setUp(lab.container(1), spec)
            for attachment in spec.attachments {
                try lab.expectAttached(attachment, in: lab.container(1), answer: answer)
                for subnet in attachment.network.subnets {
                    let gateway = try #require(subnet.gateway)
                    #expect(
                        try Traffic.echoes(from: lab.container(1), to: lab.host, address: gateway))
                }
            }
            let links = try NamespaceState.links(lab.container(1)).map(\.name).sorted()
            #expect(links == ["eth0", "eth1", "lo"])

            try lab.tearDown(lab.container(1), spec)
            try lab.expectNothingLeft(host: baseline)
        }
    }

    /// `static_mac` is the container interface's address and the one in the answer.
    @Test func staticMAC() throws {
        try withLab { lab in
            let baseline = try Snapshot.take(lab.host)
            var attachment = lab.ipv4Network().attach(host: 2)
            attachment.staticMAC = "02:42:AC:11:00:32"
            let spec = SetupSpec(container: "c1", [attachment])
            let answer = try lab.setUp(lab.container(1), spec)
            try lab.expectAttached(attachment, in: lab.container(1), answer: answer)
            #expect(
                try NamespaceState.link("eth0", in: lab.container(1))?.mac == "02:42:ac:11:00:32")

            try lab.tearDown(lab.container(1), spec)
            try lab.expectNothingLeft(host: baseline)
        }
    }

    /// The per-network option `host_interface_name` names the host end of the veth.
    @Test func hostInterfaceName() throws {
        try withLab { lab in
            let baseline = try Snapshot.take(lab.host)
            var attachment = lab.ipv4Network().attach(host: 2)
            let hostName = "fy\(lab.id)hv0"
            attachment.options["host_interface_name"] = hostName
            let spec = SetupSpec(container: "c1", [attachment])
            let answer = try lab.setUp(lab.container(1), spec)
            try lab.expectAttached(
                attachment, in: lab.container(1), answer: answer,
                Expected(hostInterfaceName: hostName))
            let hostEnd = try NamespaceState.link(hostName, in: lab.host)
            #expect(hostEnd?.master == lab.bridge())

            try lab.tearDown(lab.container(1), spec)
            try lab.expectNothingLeft(host: baseline)
        }
    }
}
