import FerryAddress
import Testing

@testable import FerryCommands

/// slirp4netns's command line from containers.conf and the network's options, against the
/// two runs of Podman 4.3.1 in podman-captures (rootless-4.3.1-slirp4netns-and-rootlessport).
struct Slirp4netnsOptionsTests {
    /// Every option slirp4netns 1.2.0's --help lists.
    static let features = Slirp4netnsFeatures(
        help: "--configure --exit-fd --ready-fd --mtu --enable-ipv6 --api-socket --cidr"
            + " --disable-host-loopback --netns-type --userns-path --enable-sandbox"
            + " --enable-seccomp --outbound-addr --outbound-addr6 --disable-dns --macaddress")

    @Test func podmanDefaults() throws {
        let options = try Slirp4netnsOptions.parse(configured: [], network: [:])
        let words = try options.arguments(
            features: Self.features, readyDescriptor: 3, apiSocket: nil,
            namespacePath: "/run/user/1001/netns/x", interfaceName: "tap0")
        // Podman: --disable-host-loopback --mtu=65520 --enable-sandbox --enable-seccomp
        // --enable-ipv6 -c -e 3 -r 4 --netns-type=path PATH tap0 (Ferry stops by pid: no -e).
        #expect(
            words == [
                "--disable-host-loopback", "--mtu=65520", "--enable-sandbox", "--enable-seccomp",
                "--enable-ipv6", "-c", "-r", "3", "--netns-type=path", "/run/user/1001/netns/x",
                "tap0",
            ])
        #expect(options.containerAddress == IPAddress("10.0.2.100"))
        #expect(options.gateway == IPAddress("10.0.2.2"))
        #expect(options.dnsServer == IPAddress("10.0.2.3"))
    }

    @Test func podmanSecondRunFromConfiguredAndNetworkOptions() throws {
        // containers.conf gives two, the network's options the rest and override mtu.
        let options = try Slirp4netnsOptions.parse(
            configured: ["allow_host_loopback=true", "mtu=9000"],
            network: [
                "port_handler": "slirp4netns", "mtu": "1500", "cidr": "10.41.0.0/24",
                "enable_ipv6": "false",
            ])
        let words = try options.arguments(
            features: Self.features, readyDescriptor: 3, apiSocket: "/run/x.net",
            namespacePath: "/run/netns/n", interfaceName: "tap0")
        #expect(
            words == [
                "--mtu=1500", "--enable-sandbox", "--enable-seccomp", "--cidr=10.41.0.0/24", "-c",
                "-r", "3", "--api-socket", "/run/x.net", "--netns-type=path", "/run/netns/n",
                "tap0",
            ])
        #expect(options.containerAddress == IPAddress("10.41.0.100"))
    }

    @Test(arguments: [
        ["mtu": "big"], ["cidr": "fd00::/64"], ["cidr": "10.0.2.0/26"], ["enable_ipv6": "yes"],
        ["port_handler": "pasta"], ["color": "blue"],
    ])
    func badOptionsAreRefusedWithTheirSource(_ network: [String: String]) {
        #expect(throws: (any Error).self) {
            try Slirp4netnsOptions.parse(configured: [], network: network)
        }
        do {
            _ = try Slirp4netnsOptions.parse(configured: [], network: network)
        } catch {
            #expect("\(error)".contains("(from the network's options)"))
        }
    }

    @Test func featureMissingFromHelpIsAnError() throws {
        let options = try Slirp4netnsOptions.parse(configured: [], network: ["cidr": "10.9.0.0/24"])
        let old = Slirp4netnsFeatures(help: "--mtu --netns-type --enable-ipv6")
        #expect(throws: (any Error).self) {
            try options.arguments(
                features: old, readyDescriptor: 3, apiSocket: nil, namespacePath: "/n",
                interfaceName: "tap0")
        }
    }

    @Test func settledGlobalIPv6FromIfInet6() {
        let table = """
            fd0000000000000050c8b1fffe1e9a01 02 40 00 00     eth0
            fd000000000000000000000000000099 02 40 00 40     eth0
            fe8000000000000050c8b1fffe1e9a01 02 40 20 80     eth0
            00000000000000000000000000000001 01 80 10 80       lo
            """
        #expect(
            Slirp4netnsHelpers.globalIPv6(of: "eth0", table: table)
                == ["fd00::50c8:b1ff:fe1e:9a01/64"])
    }
}
