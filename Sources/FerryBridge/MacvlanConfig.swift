import FerryAddress
import FerryWire

/// One macvlan network of a container, checked: a macvlan link on a parent interface of
/// the host, born in the container's namespace, with Podman's addresses and routes.
///
/// As in netavark: the parent is `network_interface`, else the interface of the default
/// route; options mode (bridge, private, vepa, passthru, source), mtu, metric and
/// no_default_route. No firewall rules and no DNS.
public struct MacvlanConfig: Equatable, Sendable {
    public static let modes = ["bridge", "private", "vepa", "passthru", "source"]

    public var networkName: String
    /// The parent link's name; nil means the interface of the default route.
    public var parentName: String?
    public var mode: String
    public var link: LinkOptionsSummary
    public var isInternal: Bool
    public var containerInterfaceName: String
    public var staticMAC: MACAddress?
    public var containerAddresses: [IPNetwork]
    public var statusAddresses: [NetAddress]
    public var gateways: [IPAddress]
    public var routes: [Route]

    public var defaultRouteGateways: [IPAddress] {
        isInternal || link.noDefaultRoute ? [] : gateways
    }

    var interfacePlan: ContainerInterfacePlan {
        ContainerInterfacePlan(
            name: containerInterfaceName, addresses: containerAddresses,
            defaultRouteGateways: defaultRouteGateways, metric: link.metric, routes: routes)
    }

    public static func make(name: String, network: Network, options: PerNetworkOptions)
        throws(BridgeConfigError) -> MacvlanConfig
    {
        guard network.driver == "macvlan" else {
            throw .unsupportedDriver(network: name, driver: network.driver)
        }
        var parentName: String?
        if let parent = network.networkInterface, !parent.isEmpty {
            try BridgeConfig.checkInterfaceName(parent, role: "parent", network: name)
            parentName = parent
        }
        try BridgeConfig.checkInterfaceName(options.interfaceName, role: "container", network: name)

        let mode = network.options["mode"].flatMap { $0.isEmpty ? nil : $0 } ?? "bridge"
        guard modes.contains(mode) else {
            throw .invalidOption(
                network: name, key: "mode", value: mode,
                expected: modes.joined(separator: ", "))
        }
        let common = try LinkOptions(network.options, network: name)
        let ipamDriver = try BridgeConfig.ipamDriver(network.ipamOptions, network: name)
        try BridgeConfig.checkSubnets(network.subnets, network: name)
        try BridgeConfig.checkRoutes(network.routes, network: name)
        try BridgeConfig.checkStaticMAC(options.staticMAC, network: name)

        var addresses = IPAMAddresses()
        if ipamDriver == .hostLocal {
            addresses = try IPAMAddresses(
                subnets: network.subnets, staticIPs: options.staticIPs, network: name)
        }
        return MacvlanConfig(
            networkName: name, parentName: parentName, mode: mode,
            link: LinkOptionsSummary(
                mtu: common.mtu, metric: common.metric, noDefaultRoute: common.noDefaultRoute),
            isInternal: network.isInternal, containerInterfaceName: options.interfaceName,
            staticMAC: options.staticMAC, containerAddresses: addresses.container,
            statusAddresses: addresses.status, gateways: addresses.defaultGateways,
            routes: ipamDriver == .hostLocal ? network.routes : [])
    }
}

/// The link options as the driver uses them.
public struct LinkOptionsSummary: Equatable, Sendable {
    public var mtu: Int?
    public var metric: UInt32
    public var noDefaultRoute: Bool
}
