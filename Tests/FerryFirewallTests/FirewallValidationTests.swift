import FerryAddress
import Foundation
import Testing

@testable import FerryFirewall

@Suite struct FirewallValidationTests {
    func rejects(_ container: ContainerRules, on network: NetworkRules, saying text: String) {
        #expect {
            try container.validate(on: network)
        } throws: { error in
            "\(error)".contains(text)
        }
    }

    @Test func hostIPParsesToTheRightKind() {
        #expect(HostAddress(hostIP: "") == .any)
        #expect(HostAddress(hostIP: "0.0.0.0") == .anyOf(.ipv4))
        #expect(HostAddress(hostIP: "::") == .anyOf(.ipv6))
        #expect(HostAddress(hostIP: "192.0.2.7") == .address(IPAddress("192.0.2.7")!))
        #expect(HostAddress(hostIP: "localhost") == nil)
        #expect(HostAddress(hostIP: "::")?.description == "::")
    }

    @Test func aPortRangeMustFitBelow65536() {
        var container = webContainer
        container.ports = [PortForward(.tcp, hostPort: 65530, containerPort: 80, count: 7)]
        rejects(container, on: ipv4Only, saying: "tcp :65530-65536 -> 80-86")
        container.ports = [PortForward(.udp, hostPort: 0, containerPort: 80)]
        rejects(container, on: ipv4Only, saying: "ports must be 1 to 65535")
    }

    @Test func aPortNeedsAContainerAddressOfItsFamily() {
        var container = webContainer
        container.ports = [PortForward(.tcp, host: .anyOf(.ipv6), hostPort: 80, containerPort: 80)]
        rejects(container, on: ipv4Only, saying: "no address of that family on network web-net")
        container.ports = [
            PortForward(
                .tcp, host: .address(IPAddress("fd00::1")!), hostPort: 80,
                containerPort: 80)
        ]
        rejects(container, on: ipv4Only, saying: "tcp [fd00::1]:80 -> 80")
    }

    @Test func anInternalNetworkPublishesNothing() {
        var container = internalContainer
        container.ports = [PortForward(.tcp, hostPort: 80, containerPort: 80)]
        rejects(container, on: internalNetwork, saying: "network backend is internal")
    }

    @Test func anyContainerIdGivesASafeStableChainName() throws {
        // Podman's hex ids name the chain as they are.
        #expect(RuleGenerator.portChain("0123abcd", "web") == "pub-0123abcd-web")
        // Anything else, a dash or an attempt at nft syntax, becomes a digest.
        for id in ["a-b", "a;flush ruleset", String(repeating: "f", count: 100)] {
            let chain = RuleGenerator.portChain(id, "web")
            #expect(chain.hasPrefix("pub-h_") && chain.hasSuffix("-web"), "\(chain)")
            #expect(chain.utf8.count == "pub-h_".count + 16 + "-web".count)
            #expect(RuleGenerator.portChain(id, "web") == chain)
        }
        #expect(RuleGenerator.portChain("a-b", "web") != RuleGenerator.portChain("a-c", "web"))
        var container = webContainer
        container.id = ""
        rejects(container, on: ipv4Only, saying: "container id is empty")
    }

    @Test func networkNamesMustBePlainChainNameParts() {
        let network = NetworkRules(name: "x y", subnets: [IPNetwork("10.0.0.0/24")!])
        #expect(throws: FirewallError.self) { try network.validate() }
    }

    @Test func stateRoundTripsThroughItsFile() throws {
        let directory = FileManager.default.temporaryDirectory
            .appending(path: "ferry-firewall-state-\(UUID().uuidString)").path()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = FirewallStateStore(configDirectory: directory)
        let podmanState = NetworkState(network: podman, containers: [dualStackContainer])
        let webState = NetworkState(network: ipv4Only, containers: [webContainer, quietContainer])
        try store.save(podmanState)
        try store.save(webState)
        #expect(try store.loadAll() == [podmanState, webState])

        // A network whose last container left has no file.
        try store.save(NetworkState(network: ipv4Only))
        #expect(try store.loadAll() == [podmanState])
        #expect(try store.load("web-net") == nil)
    }
}
