import FerrySystem
import Foundation
import Testing

/// FerryFirewall against the real kernel: nft-probe applies rule sets through libnftables
/// in a namespace made for the test, and `nft -j list ruleset` shows what the kernel has.
@Suite(.enabled(if: isRoot, "needs root to create network namespaces and nft tables"))
struct FirewallKernelTests {
    let probe: String
    let lab = NamespaceLab()

    init() throws { probe = try NamespaceLab.executable("nft-probe") }

    func probe(_ namespace: String, _ arguments: [String]) throws {
        try lab.run(namespace, [probe, lab.config] + arguments)
    }

    @Test func setupTeardownAndReloadChangeExactlyTheirOwnRules() throws {
        defer { lab.cleanUp() }
        let host = try lab.namespace("h")

        // Two containers, both publishing 8080 on a different protocol.
        try probe(host, ["setup", "net1", "10.89.7.0/24", "c1", "10.89.7.2", "tcp//8080/80"])
        try probe(host, ["setup", "net1", "10.89.7.0/24", "c2", "10.89.7.3", "udp//8080/80"])
        var chains = try lab.ferryChains(host)
        #expect(chains["hostports"]?.count == 2)
        #expect(chains["pub-c1-net1"]?.count == 1)
        #expect(chains["pub-c1-net1"]?.first?.contains("10.89.7.2") == true)
        #expect(chains["pub-c2-net1"]?.first?.contains("udp") == true)
        #expect(chains["nat-net1"]?.isEmpty == false)
        let saved = try FileSystem.readString(lab.config + "/firewall/networks/net1.json")
        #expect(saved.contains("\"c1\"") && saved.contains("\"c2\""))

        // One torn down: the other keeps its chain, the network keeps its own.
        try probe(host, ["teardown", "net1", "c1"])
        chains = try lab.ferryChains(host)
        #expect(chains["pub-c1-net1"] == nil)
        #expect(chains["pub-c2-net1"]?.count == 1)
        #expect(chains["hostports"]?.count == 1)
        #expect(chains["nat-net1"]?.isEmpty == false)

        // A flushed ruleset comes back from the saved state.
        try lab.run(host, ["nft", "flush", "ruleset"])
        #expect(try lab.ferryChains(host).isEmpty)
        try probe(host, ["reload"])
        #expect(try lab.ferryChains(host) == chains)

        // The last container takes the network's rules and the table with it.
        try probe(host, ["teardown", "net1", "c2"])
        #expect(try lab.ferryChains(host).isEmpty)
        let listing = try lab.run(host, ["nft", "list", "ruleset"])
        #expect(!listing.contains("8080"))
        #expect(!FileSystem.exists(lab.config + "/firewall/networks/net1.json"))

        // Teardown again is no error.
        try probe(host, ["teardown", "net1", "c2"])
    }

    @Test func setupAfterAFlushRebuildsTheOtherContainersToo() throws {
        defer { lab.cleanUp() }
        let host = try lab.namespace("h")
        try probe(host, ["setup", "net1", "10.89.7.0/24", "c1", "10.89.7.2", "tcp//8080/80"])
        try lab.run(host, ["nft", "flush", "ruleset"])
        try probe(host, ["setup", "net1", "10.89.7.0/24", "c2", "10.89.7.3", "tcp//8081/80"])
        let chains = try lab.ferryChains(host)
        #expect(chains["pub-c1-net1"]?.count == 1)
        #expect(chains["pub-c2-net1"]?.count == 1)
    }

    @Test func unspecifiedHostAddressesAreMatchedByFamilyInTheKernel() throws {
        defer { lab.cleanUp() }
        let host = try lab.namespace("h")
        try probe(
            host,
            [
                "setup", "net1", "10.89.7.0/24,fd00:89:7::/64", "c1", "10.89.7.2,fd00:89:7::2",
                "tcp/0.0.0.0/8080/80", "tcp/::/8081/81", "udp//8082/82",
            ])
        let rules = try lab.ferryChains(host)["pub-c1-net1"] ?? []
        #expect(rules.count == 4)
        #expect(!rules.joined().contains("0.0.0.0"))
        #expect(rules.filter { $0.contains("\"ipv6\"") }.count == 2)
    }

    @Test func aFailedBatchChangesNothingAndCarriesNftsMessage() throws {
        defer { lab.cleanUp() }
        let host = try lab.namespace("h")
        let batch = "add table inet ferry\nadd rule inet ferry nochain accept\n"
        let result = try lab.exec(host, [probe, "-", "run"], input: batch)
        #expect(!result.succeeded)
        #expect(result.stderr.contains("No such file or directory"))
        #expect(result.stderr.contains("Could not process rule"))
        #expect(try lab.run(host, ["nft", "list", "ruleset"]).isEmpty)
    }
}
