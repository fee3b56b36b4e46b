import FerryAddress
import FerryFirewall
import Testing

@testable import FerryCommands

/// The engine's command line as `ferry setup` builds it for a pasta network.
struct PastaModeTests {
    let mode = PastaMode(stateDirectory: "/run/ferry-test", pastaOptions: ["--mtu", "1500"])
    let mac = MACAddress("02:00:00:00:00:01")!

    func arguments(_ ports: [PortForward]) -> [String] {
        mode.arguments(
            namespacePath: "/run/netns/c1", pidFile: "/run/ferry-test/engines/c1-n.pid",
            mac: mac, interfaceName: "eth0", ports: ports)
    }

    @Test func publishedPortsBecomeForwardsInPodmansRangeForm() throws {
        let words = arguments([
            PortForward(.tcp, host: .any, hostPort: 8080, containerPort: 80),
            PortForward(.udp, host: .anyOf(.ipv4), hostPort: 5353, containerPort: 53, count: 2),
            PortForward(
                .tcp, host: .address(IPAddress("127.0.0.1")!), hostPort: 9000,
                containerPort: 90),
        ])
        #expect(words.contains(["-t", "8080-8080:80-80"]))
        #expect(words.contains(["-u", "0.0.0.0/5353-5354:53-54"]))
        #expect(words.contains(["-t", "127.0.0.1/9000-9000:90-90"]))
        // Given forwards replace the "none" defaults of those options, not the others.
        #expect(!words.contains(["-t", "none"]) && !words.contains(["-u", "none"]))
        #expect(words.contains(["-T", "none"]) && words.contains(["-U", "none"]))

        // And the engine's own parser takes the whole line.
        let options = try PastaOptions.parse(words)
        #expect(options.tcpPorts.count == 2 && options.udpPorts.count == 1)
    }

    @Test func defaultsFollowPodman5AndLeavePastaOptionsFirst() {
        let words = arguments([])
        #expect(Array(words.prefix(3)) == ["--config-net", "--mtu", "1500"])
        #expect(words.contains(["-I", "eth0"]))
        #expect(words.contains(["--dns-forward", "169.254.1.1"]))
        #expect(words.contains("--no-map-gw"))
        #expect(words.contains(["--ns-mac-addr", "02:00:00:00:00:01"]))
        #expect(Array(words.suffix(2)) == ["--map-guest-addr", "169.254.1.2"])
    }

    /// containers.conf may give an option in any of getopt's forms; none gets a default
    /// beside it, which the engine would refuse as a second rule set.
    @Test(arguments: [
        ["-t", "8080"], ["-t8080"], ["--tcp-ports", "8080"], ["--tcp-ports=8080"],
    ])
    func givenOptionsInAnyFormKeepTheirDefaultsOut(_ given: [String]) throws {
        let mode = PastaMode(
            stateDirectory: "/run/ferry-test",
            pastaOptions: given + [
                "--udp-ns=7000", "--ns-ifname", "ctr0", "--dns-forward=169.254.9.9",
                "--ns-mac-addr=02:00:00:00:00:09",
            ])
        let words = mode.arguments(
            namespacePath: "/run/netns/c1", pidFile: "/run/ferry-test/engines/c1-n.pid",
            mac: mac, interfaceName: "eth0")
        #expect(!words.contains(["-t", "none"]), "\(words)")
        #expect(!words.contains(["-U", "none"]), "\(words)")
        #expect(words.contains(["-u", "none"]) && words.contains(["-T", "none"]))
        #expect(!words.contains("-I") && !words.contains("--dns-forward"), "\(words)")
        #expect(!words.contains("--ns-mac-addr"), "\(words)")
        let options = try PastaOptions.parse(words)
        #expect(options.tcpPorts.count == 1)
    }
}

extension Array where Element == String {
    /// Whether the two words stand next to each other, in order.
    fileprivate func contains(_ pair: [String]) -> Bool {
        zip(self, dropFirst()).contains { [$0, $1] == pair }
    }
}
