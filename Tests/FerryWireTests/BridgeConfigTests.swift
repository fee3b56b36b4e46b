import FerryAddress
import FerryBridge
import FerryWire
import Foundation
import Testing

/// What valid inputs turn into.
@Suite struct BridgeConfigTests {
    func config(_ change: (inout Spec) -> Void, rootless: Bool = false) throws -> BridgeConfig {
        var spec = Spec()
        change(&spec)
        let configs = try BridgeConfig.validateAll(
            NetworkOptions.decode(spec.data), rootless: rootless)
        try #require(configs.count == 1)
        return configs[0]
    }

    @Test func defaults() throws {
        let config = try config { _ in }
        #expect(config.networkName == "net1")
        #expect(config.networkID == "i1")
        #expect(config.bridgeName == "fy-br0")
        #expect(config.mode == .managed)
        #expect(config.mtu == nil)
        #expect(config.metric == 100)
        #expect(config.isolation == .off)
        #expect(!config.noDefaultRoute)
        #expect(!config.isInternal)
        #expect(!config.ipv6Enabled)
        #expect(!config.rootless)
        #expect(config.ipamDriver == .hostLocal)
        #expect(config.containerInterfaceName == "eth0")
        #expect(config.hostInterfaceName == nil)
        #expect(config.staticMAC == nil)
        #expect(config.containerAddresses == [IPNetwork("10.77.0.2/24")!])
        #expect(
            config.statusAddresses == [
                NetAddress(ipnet: IPNetwork("10.77.0.2/24")!, gateway: IPAddress("10.77.0.1"))
            ])
        #expect(config.bridgeAddresses == [IPNetwork("10.77.0.1/24")!])
        #expect(config.gateways == [IPAddress("10.77.0.1")!])
        #expect(config.defaultRouteGateways == [IPAddress("10.77.0.1")!])
        #expect(config.routes.isEmpty)
        #expect(!config.dnsEnabled)
    }

    @Test func optionsAreParsed() throws {
        let config = try config {
            $0.networkExtra = Spec.options([
                "mtu": "1400", "metric": "50", "isolate": "strict", "no_default_route": "true",
                "mode": "unmanaged", "com.example.unknown": "ignored",
            ])
        }
        #expect(config.mtu == 1400)
        #expect(config.metric == 50)
        #expect(config.isolation == .strict)
        #expect(config.noDefaultRoute)
        #expect(config.mode == .unmanaged)
        #expect(config.gateways == [IPAddress("10.77.0.1")!])
        #expect(config.defaultRouteGateways.isEmpty)
    }

    @Test func zeroMTUMeansDefault() throws {
        #expect(try config { $0.networkExtra = Spec.options(["mtu": "0"]) }.mtu == nil)
        #expect(try config { $0.networkExtra = Spec.options(["isolate": "true"]) }.isolation == .on)
    }

    @Test func internalNetworkHasNoDefaultRoute() throws {
        let config = try config {
            $0.flags = #""ipv6_enabled":false,"internal":true,"dns_enabled":false"#
        }
        #expect(config.isInternal)
        #expect(config.bridgeAddresses == [IPNetwork("10.77.0.1/24")!])
        #expect(config.defaultRouteGateways.isEmpty)
    }

    @Test func dualStackTakesFirstGatewayPerFamily() throws {
        let config = try config {
            $0.subnets =
                #"[{"subnet":"10.77.0.0/24","gateway":"10.77.0.1"},"#
                + #"{"subnet":"fd77::/64","gateway":"fd77::1"},"#
                + #"{"subnet":"10.78.0.0/24","gateway":"10.78.0.1"}]"#
            $0.perNetwork = #""interface_name":"eth0","static_ips":["fd77::5","10.77.0.2"]"#
        }
        #expect(config.ipv6Enabled)
        #expect(
            config.containerAddresses == [IPNetwork("10.77.0.2/24")!, IPNetwork("fd77::5/64")!])
        #expect(
            config.bridgeAddresses.map(\.description) == [
                "10.77.0.1/24", "fd77::1/64", "10.78.0.1/24",
            ])
        #expect(config.gateways == [IPAddress("10.77.0.1")!, IPAddress("fd77::1")!])
    }

    @Test func ipamNoneLeavesInterfaceBare() throws {
        let config = try config {
            $0.networkExtra =
                #","ipam_options":{"driver":"none"},"#
                + #""routes":[{"destination":"10.9.0.0/16","gateway":"10.77.0.1"}]"#
            $0.perNetwork = #""interface_name":"eth0""#
        }
        #expect(config.ipamDriver == .none)
        #expect(config.containerAddresses.isEmpty)
        #expect(config.bridgeAddresses.isEmpty)
        #expect(config.defaultRouteGateways.isEmpty)
        #expect(config.routes.isEmpty)
    }

    @Test func perContainerOptionsAreCarried() throws {
        let config = try config(
            {
                $0.perNetwork =
                    #""interface_name":"eth3","static_ips":["10.77.0.9"],"#
                    + #""static_mac":"02:42:AC:11:00:09","aliases":["web"],"#
                    + #""options":{"host_interface_name":"fy-veth9"}"#
            }, rootless: true)
        #expect(config.containerInterfaceName == "eth3")
        #expect(config.hostInterfaceName == "fy-veth9")
        #expect(config.staticMAC == MACAddress("02:42:ac:11:00:09"))
        #expect(config.aliases == ["web"])
        #expect(config.rootless)
    }

    @Test func routesAreCarried() throws {
        let config = try config {
            $0.networkExtra =
                #","routes":[{"destination":"10.9.0.0/16","gateway":"10.77.0.254","metric":7},"#
                + #"{"destination":"10.10.0.0/16","route_type":"unreachable"}]"#
        }
        #expect(
            config.routes == [
                Route(
                    destination: IPNetwork("10.9.0.0/16")!, gateway: IPAddress("10.77.0.254"),
                    metric: 7),
                Route(destination: IPNetwork("10.10.0.0/16")!, kind: .unreachable),
            ])
    }

    @Test func statusBlockEncodesNullGateway() throws {
        let block = StatusBlock(interfaces: [
            "eth0": NetInterface(
                macAddress: MACAddress("02:00:00:00:00:01")!,
                subnets: [NetAddress(ipnet: IPNetwork("10.77.0.2/24")!)])
        ])
        #expect(
            StatusBlock.encodeAnswer(["net1": block])
                == #"{"net1":{"dns_search_domains":[],"dns_server_ips":[],"interfaces":{"eth0":"#
                + #"{"mac_address":"02:00:00:00:00:01","subnets":[{"gateway":null,"#
                + #""ipnet":"10.77.0.2/24"}]}}}}"#)
    }
}
