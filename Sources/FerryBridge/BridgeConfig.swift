import FerryAddress
import FerryWire

/// One bridge network of a container, checked and reduced to what the driver acts on.
///
/// Built without side effects from the wire types: `make` checks one network,
/// `validateAll` checks every network of a container and the rules between them. The
/// driver never reads options or subnets itself; everything it needs is here.
public struct BridgeConfig: Equatable, Sendable {
    /// Whether Ferry owns the bridge (creates, addresses and deletes it) or only plugs
    /// veths into a bridge made by someone else. Option `mode`, default managed.
    public enum Mode: String, Sendable {
        case managed, unmanaged
    }

    /// Option `isolate`: "false" lets the bridge reach other networks, "true" blocks
    /// traffic to other isolated networks, "strict" blocks traffic to every other network.
    public enum Isolation: String, Sendable {
        case off = "false"
        case on = "true"
        case strict
    }

    /// The `ipam_options` driver: host-local uses Podman's addresses; none gives the
    /// interface no addresses, gateways or routes.
    public enum IPAMDriver: String, Sendable {
        case hostLocal = "host-local"
        case none
    }

    public var networkName: String
    public var networkID: String
    /// The bridge's name on the host (`network_interface`), e.g. "podman0".
    public var bridgeName: String
    public var mode: Mode
    /// The MTU for bridge and veths; nil means take it from the default route's interface.
    public var mtu: Int?
    /// The metric of the default routes added in the container. Option `metric`, default 100.
    public var metric: UInt32
    public var isolation: Isolation
    /// Option `no_default_route`: add no default route in the container.
    public var noDefaultRoute: Bool
    /// No routes out of the network and no firewall rules for it.
    public var isInternal: Bool
    /// The network has an IPv6 subnet (or says ipv6_enabled).
    public var ipv6Enabled: Bool
    public var rootless: Bool
    public var ipamDriver: IPAMDriver
    /// The interface's name inside the container, e.g. "eth0".
    public var containerInterfaceName: String
    /// The host end of the veth pair (per-network option `host_interface_name`); nil lets
    /// the kernel choose.
    public var hostInterfaceName: String?
    public var staticMAC: MACAddress?
    /// The container's addresses, each with its subnet's prefix length: 10.88.0.2/16.
    public var containerAddresses: [IPNetwork]
    /// The same addresses with their subnet's gateway, ready for the StatusBlock.
    public var statusAddresses: [NetAddress]
    /// Every subnet gateway with its subnet's prefix length, to put on the bridge.
    public var bridgeAddresses: [IPNetwork]
    /// The first gateway of each family, for default routes.
    public var gateways: [IPAddress]
    /// The network's static routes, checked: unicast ones have a gateway of their family,
    /// the others have none.
    public var routes: [Route]
    public var subnets: [Subnet]
    /// The network asks for DNS (aardvark-dns) and the container's names on it.
    public var dnsEnabled: Bool
    public var aliases: [String]
    /// The container publishes ports (applies to every network of the container).
    public var portMappingsRequested: Bool

    /// The gateways to add default routes through: none for an internal network or with
    /// `no_default_route`, else the first gateway of each family.
    public var defaultRouteGateways: [IPAddress] {
        isInternal || noDefaultRoute ? [] : gateways
    }
}

extension BridgeConfig {
    /// Checks one bridge network and the container's options on it.
    ///
    /// - Parameters:
    ///   - name: The network's name (the key in `networks`).
    ///   - network: Its definition from `network_info`.
    ///   - options: The container's options on it.
    ///   - rootless: Whether ferry runs as `--rootless=true`.
    ///   - portMappingsRequested: Whether the container publishes ports.
    public static func make(
        name: String, network: Network, options: PerNetworkOptions, rootless: Bool,
        portMappingsRequested: Bool = false
    ) throws(BridgeConfigError) -> BridgeConfig {
        guard network.driver == "bridge" else {
            throw .unsupportedDriver(network: name, driver: network.driver)
        }
        guard let bridgeName = network.networkInterface, !bridgeName.isEmpty else {
            throw .missingBridgeName(network: name)
        }
        try checkInterfaceName(bridgeName, role: "bridge", network: name)
        try checkInterfaceName(options.interfaceName, role: "container", network: name)
        var hostInterfaceName: String?
        if let hostName = options.options["host_interface_name"], !hostName.isEmpty {
            try checkInterfaceName(hostName, role: "host", network: name)
            hostInterfaceName = hostName
        }

        let parsed = try BridgeOptions(network.options, network: name)
        let ipamDriver = try ipamDriver(network.ipamOptions, network: name)

        try checkSubnets(network.subnets, network: name)
        try checkRoutes(network.routes, network: name)
        try checkStaticMAC(options.staticMAC, network: name)

        // host-local takes the addresses Podman chose; none leaves the interface bare.
        var addresses = IPAMAddresses()
        if ipamDriver == .hostLocal {
            addresses = try IPAMAddresses(
                subnets: network.subnets, staticIPs: options.staticIPs, network: name)
        }

        return BridgeConfig(
            networkName: name, networkID: network.id, bridgeName: bridgeName, mode: parsed.mode,
            mtu: parsed.mtu, metric: parsed.metric, isolation: parsed.isolation,
            noDefaultRoute: parsed.noDefaultRoute, isInternal: network.isInternal,
            ipv6Enabled: network.ipv6Enabled
                || network.subnets.contains { $0.subnet.family == .ipv6 },
            rootless: rootless, ipamDriver: ipamDriver,
            containerInterfaceName: options.interfaceName, hostInterfaceName: hostInterfaceName,
            staticMAC: options.staticMAC, containerAddresses: addresses.container,
            statusAddresses: addresses.status, bridgeAddresses: addresses.bridge,
            gateways: addresses.defaultGateways,
            routes: ipamDriver == .hostLocal ? network.routes : [], subnets: network.subnets,
            dnsEnabled: network.dnsEnabled, aliases: options.aliases,
            portMappingsRequested: portMappingsRequested)
    }

    /// Checks every network of a container, in `orderedNetworks` order, then the rules that
    /// span networks, then what Ferry does not support yet.
    public static func validateAll(_ options: NetworkOptions, rootless: Bool)
        throws(BridgeConfigError) -> [BridgeConfig]
    {
        var configs: [BridgeConfig] = []
        for (name, perNetwork) in options.orderedNetworks {
            // NetworkOptions guarantees network_info holds every requested network.
            let network = options.networkInfo[name]!
            configs.append(
                try make(
                    name: name, network: network, options: perNetwork, rootless: rootless,
                    portMappingsRequested: !options.portMappings.isEmpty))
        }
        try checkAcrossNetworks(options)
        return configs
    }

    /// The rules that span a container's networks, whatever their drivers: unique
    /// interface names, and published ports Ferry can set up.
    public static func checkAcrossNetworks(_ options: NetworkOptions)
        throws(BridgeConfigError)
    {
        try checkInterfaceNamesUnique(options)

        _ = try portForwards(options.portMappings)
    }
}
