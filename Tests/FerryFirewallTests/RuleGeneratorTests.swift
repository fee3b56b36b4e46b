import FerryAddress
import Foundation
import Testing

@testable import FerryFirewall

/// The generated nft text against fixture files. Set FERRY_RECORD_FIXTURES=1 to write the
/// fixtures from the current generator (then read every change before committing it).
enum Fixtures {
    static let directory = URL(filePath: #filePath).deletingLastPathComponent()
        .appending(path: "Fixtures")

    static func check(_ text: String, _ name: String) throws {
        let url = directory.appending(path: name)
        if ProcessInfo.processInfo.environment["FERRY_RECORD_FIXTURES"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "generated text differs from Fixtures/\(name)")
    }
}

let podman = NetworkRules(
    name: "podman", subnets: [IPNetwork("10.88.0.0/16")!, IPNetwork("fd00:88::/64")!])
let ipv4Only = NetworkRules(name: "web-net", subnets: [IPNetwork("10.89.1.0/24")!])
let internalNetwork = NetworkRules(
    name: "backend", subnets: [IPNetwork("10.89.2.0/24")!], isInternal: true)

let dualStackContainer = ContainerRules(
    id: "df686943b3f3", network: "podman",
    addresses: [IPAddress("10.88.0.12")!, IPAddress("fd00:88::12")!],
    ports: [
        PortForward(.tcp, hostPort: 8080, containerPort: 80),
        PortForward(.udp, host: .anyOf(.ipv4), hostPort: 9000, containerPort: 100, count: 3),
        PortForward(.tcp, host: .anyOf(.ipv6), hostPort: 7000, containerPort: 7000, count: 5),
        PortForward(
            .tcp, host: .address(IPAddress("127.0.0.1")!), hostPort: 8081,
            containerPort: 81),
        PortForward(
            .udp, host: .address(IPAddress("fd00:1::1")!), hostPort: 8082,
            containerPort: 82, count: 2),
    ])
let webContainer = ContainerRules(
    id: "a1b2c3", network: "web-net", addresses: [IPAddress("10.89.1.5")!],
    ports: [PortForward(.tcp, host: .anyOf(.ipv4), hostPort: 8080, containerPort: 8080)])
let quietContainer = ContainerRules(
    id: "e5f6", network: "web-net", addresses: [IPAddress("10.89.1.6")!], ports: [])
let internalContainer = ContainerRules(
    id: "0a0b", network: "backend", addresses: [IPAddress("10.89.2.2")!], ports: [])

@Suite struct RuleGeneratorTests {
    @Test func setupOfADualStackContainerWithEveryKindOfPort() throws {
        let all = [NetworkState(network: podman, containers: [dualStackContainer])]
        let text = Firewall.setupBatch(all: all, network: podman, container: dualStackContainer)
        try Fixtures.check(text, "setup-dual-stack.nft")
    }

    @Test func setupOfASecondContainerRebuildsEveryJump() throws {
        let all = [
            NetworkState(network: podman, containers: [dualStackContainer]),
            NetworkState(network: ipv4Only, containers: [webContainer, quietContainer]),
            NetworkState(network: internalNetwork, containers: [internalContainer]),
        ]
        let text = Firewall.setupBatch(all: all, network: ipv4Only, container: quietContainer)
        try Fixtures.check(text, "setup-second-network.nft")
    }

    @Test func setupOnAnInternalNetworkHasNoNat() throws {
        let all = [NetworkState(network: internalNetwork, containers: [internalContainer])]
        let text = Firewall.setupBatch(
            all: all, network: internalNetwork, container: internalContainer)
        try Fixtures.check(text, "setup-internal.nft")
        #expect(!text.contains("masquerade"))
        #expect(!text.contains("dnat"))
    }

    @Test func teardownOfOneOfTwoContainersKeepsTheNetwork() throws {
        let after = NetworkState(network: ipv4Only, containers: [quietContainer])
        let text = Firewall.teardownBatch(all: [after], removed: webContainer, network: after)
        try Fixtures.check(text, "teardown-one-of-two.nft")
        #expect(!text.contains("delete chain inet ferry nat-web-net"))
    }

    @Test func teardownOfTheLastContainerOfANetworkDeletesItsChains() throws {
        let other = NetworkState(network: podman, containers: [dualStackContainer])
        let emptied = NetworkState(network: ipv4Only, containers: [])
        let text = Firewall.teardownBatch(all: [other], removed: webContainer, network: emptied)
        try Fixtures.check(text, "teardown-last-of-network.nft")
    }

    @Test func teardownOfTheLastContainerDeletesTheTable() {
        let emptied = NetworkState(network: ipv4Only, containers: [])
        let text = Firewall.teardownBatch(all: [], removed: webContainer, network: emptied)
        #expect(text == "add table inet ferry\ndelete table inet ferry\n")
    }

    @Test func reloadReplacesTheTableWithEverythingSaved() throws {
        let all = [
            NetworkState(network: ipv4Only, containers: [quietContainer, webContainer]),
            NetworkState(network: podman, containers: [dualStackContainer]),
        ]
        try Fixtures.check(Firewall.reloadBatch(all: all), "reload.nft")
    }

    /// Four networks, one of each kind: netavark's meaning of `isolate`.
    @Test func isolationDropsBetweenBridgesAsNetavarkDoes() throws {
        let open = NetworkRules(
            name: "open", subnets: [IPNetwork("10.90.0.0/24")!], bridge: "br-open")
        let first = NetworkRules(
            name: "iso1", subnets: [IPNetwork("10.90.1.0/24")!], bridge: "br-iso1",
            isolation: .on)
        let second = NetworkRules(
            name: "iso2", subnets: [IPNetwork("10.90.2.0/24")!, IPNetwork("fd00:90:2::/64")!],
            bridge: "br-iso2", isolation: .on)
        let strict = NetworkRules(
            name: "strict", subnets: [IPNetwork("10.90.3.0/24")!], bridge: "br-strict",
            isolation: .strict)
        let container = ContainerRules(
            id: "5a5a", network: "strict", addresses: [IPAddress("10.90.3.2")!], ports: [])
        let all = [open, first, second, strict].map { network in
            NetworkState(
                network: network,
                containers: [
                    ContainerRules(
                        id: "5a5a", network: network.name, addresses: [], ports: [])
                ])
        }
        let text = Firewall.setupBatch(all: all, network: strict, container: container)
        try Fixtures.check(text, "setup-isolation.nft")

        // An isolated network drops only towards the other isolated ones; a strict one
        // towards every other bridge; an open one has no drop of its own.
        let drops: [String] = text.split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("add rule inet ferry forward iifname") }
        let expected: [String] = [
            #"iifname "br-iso1" oifname { "br-iso2", "br-strict" } drop"#,
            #"iifname "br-iso2" oifname { "br-iso1", "br-strict" } drop"#,
            #"iifname "br-strict" oifname { "br-iso1", "br-iso2", "br-open" } drop"#,
        ].map { "add rule inet ferry forward " + $0 }
        #expect(drops == expected)
    }

    @Test func aLoneIsolatedNetworkHasNothingToDrop() {
        let alone = NetworkRules(
            name: "iso1", subnets: [IPNetwork("10.90.1.0/24")!], bridge: "br-iso1",
            isolation: .strict)
        #expect(RuleGenerator.isolation([alone]).isEmpty)
    }

    @Test func isolationNeedsAQuotableBridgeName() {
        let unnamed = NetworkRules(
            name: "iso1", subnets: [IPNetwork("10.90.1.0/24")!], isolation: .on)
        #expect(throws: FirewallError.self) { try unnamed.validate() }
        let quoted = NetworkRules(
            name: "iso1", subnets: [IPNetwork("10.90.1.0/24")!], bridge: "br\"x",
            isolation: .on)
        #expect(throws: FirewallError.self) { try quoted.validate() }
    }

    @Test func unspecifiedHostAddressesNeverMatchAsLiterals() {
        let text = RuleGenerator.container(dualStackContainer).joined(separator: "\n")
        #expect(!text.contains("0.0.0.0"))
        #expect(!text.contains("daddr ::"))
        #expect(text.contains("meta nfproto ipv4 udp dport 9000-9002"))
        #expect(!text.contains("meta nfproto ipv6 udp dport 9000"))
    }

    @Test func aShiftedRangeMapsEveryPort() {
        let port = PortForward(.tcp, hostPort: 8000, containerPort: 80, count: 3)
        let rule = RuleGenerator.dnat(port, IPAddress("10.0.0.2")!)
        #expect(
            rule == "tcp dport 8000-8002 dnat ip to 10.0.0.2 : tcp dport map "
                + "{ 8000 : 80, 8001 : 81, 8002 : 82 }")
    }
}
