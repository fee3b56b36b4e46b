import FerryAddress
import FerryEngine
import FerryNetlink
import FerrySystem

/// What `ferry __pasta-attach` does inside the container: the tap to create and, with
/// `--config-net`, its MTU, MAC, addresses and routes; with `serve`, it then stays as the
/// engine's namespace helper (NamespaceSockets) while its parent `parent` lives. Crosses
/// the process boundary as JSON.
struct PastaNamespacePlan: Codable, Equatable {
    struct Route: Codable, Equatable {
        var destination: String
        var gateway: String?
        var metric: UInt32
    }

    var interfaceName: String
    var configure: Bool
    var mtu: Int
    var mac: String?
    var addresses: [String]
    var routes: [Route]
    var serve = false
    var parent: Int32 = 0
}

/// The container's side of the network, worked out from the options and the host's
/// template interface (pasta's rules):
/// - `-a`/`-n`/`-g` given for a family: only that address and a default route via the gateway;
/// - else the template's first address of each family and its routes, leaving out those
///   whose gateway the container could not reach, with a warning;
/// - no template at all: IPv4 169.254.2.1/24 via 169.254.2.2, IPv6 link-local only.
struct PastaNetworkPlan: Equatable {
    struct Family: Equatable {
        var address: IPNetwork
        var gateway: IPAddress?
        var hostAddress: IPAddress?
        var routes: [NetlinkRoute]
    }

    static let fallbackAddress = IPNetwork("169.254.2.1/24")!
    static let fallbackGateway = IPAddress("169.254.2.2")!
    static let defaultMTU = 65520
    /// The engine's own MAC, as the container sees its gateway (locally administered).
    static let engineMAC = MACAddress("02:66:72:79:00:01")!

    var interfaceName: String
    var mtu: Int
    var ipv4: Family?
    var ipv6: Family?
    var warnings: [String] = []

    init(options: PastaOptions, template: PastaHostTemplate?) {
        interfaceName = options.namespaceInterface ?? template?.interfaceName ?? "tap0"
        mtu = options.mtu ?? Self.defaultMTU
        if !options.ipv6Only {
            ipv4 = family(.ipv4, options: options, template: template)
            if ipv4 == nil && template == nil {
                ipv4 = Family(
                    address: Self.fallbackAddress, gateway: Self.fallbackGateway,
                    hostAddress: nil, routes: [Self.defaultRoute(via: Self.fallbackGateway)])
            }
        }
        if !options.ipv4Only {
            ipv6 = family(.ipv6, options: options, template: template)
        }
    }

    private mutating func family(
        _ family: IPAddress.Family, options: PastaOptions, template: PastaHostTemplate?
    ) -> Family? {
        let hostNetwork = template?.address(family)
        let givenGateway = options.gateways.first { $0.family == family }
        if let given = options.addresses.first(where: { $0.family == family }) {
            let prefix =
                family == .ipv4
                ? options.prefixLength ?? hostNetwork?.prefixLength ?? 24
                : hostNetwork?.prefixLength ?? 64
            let gateway = givenGateway ?? template?.defaultGateway(family)
            return Family(
                address: IPNetwork(address: given, prefixLength: prefix)!, gateway: gateway,
                hostAddress: hostNetwork?.address,
                routes: gateway.map { [Self.defaultRoute(via: $0)] } ?? [])
        }
        guard let template, let hostNetwork else { return nil }
        var address = hostNetwork
        if family == .ipv4, let prefix = options.prefixLength {
            address = IPNetwork(address: hostNetwork.address, prefixLength: prefix)!
        }
        var routes: [NetlinkRoute] = []
        for route in template.routes where route.destination.family == family {
            var copy = route
            if copy.isDefault, let givenGateway { copy.gateway = givenGateway }
            if let gateway = copy.gateway, !gateway.isLinkLocal, !address.contains(gateway) {
                warnings.append(
                    "leaving out route \(route.description): its gateway is not reachable "
                        + "from \(address)")
                continue
            }
            routes.append(copy)
        }
        // On-link routes first: a gateway route needs the route to its gateway.
        routes.sort { ($0.gateway == nil ? 0 : 1) < ($1.gateway == nil ? 0 : 1) }
        let gateway = givenGateway ?? template.defaultGateway(family)
        return Family(
            address: address, gateway: gateway, hostAddress: hostNetwork.address,
            routes: routes)
    }

    static func defaultRoute(via gateway: IPAddress) -> NetlinkRoute {
        let any: IPAddress = gateway.family == .ipv4 ? .v4(0) : .v6(0, 0)
        return NetlinkRoute(
            destination: IPNetwork(address: any, prefixLength: 0)!, gateway: gateway)
    }

    /// The plan for the attach helper.
    func namespacePlan(options: PastaOptions) -> PastaNamespacePlan {
        let families = [ipv4, ipv6].compactMap { $0 }
        return PastaNamespacePlan(
            interfaceName: interfaceName, configure: options.configureNetwork, mtu: mtu,
            mac: options.namespaceMAC?.description,
            addresses: families.map { $0.address.description },
            routes: families.flatMap(\.routes).map {
                PastaNamespacePlan.Route(
                    destination: $0.destination.canonical.description,
                    gateway: $0.gateway?.description, metric: $0.metric)
            })
    }

    /// What the data path runs on.
    func engineConfig(options: PastaOptions, interfaceName: String, resolvers: [IPAddress])
        throws(PastaUsageError) -> EngineConfig
    {
        func convert(_ family: Family?) -> EngineConfig.Family? {
            family.map {
                EngineConfig.Family(
                    address: $0.address.address, prefixLength: $0.address.prefixLength,
                    gateway: $0.gateway, hostAddress: $0.hostAddress)
            }
        }
        let advertised =
            options.dnsForward.isEmpty ? resolvers.filter { !$0.isLoopback } : options.dnsForward
        return EngineConfig(
            interfaceName: interfaceName, mtu: mtu, engineMAC: Self.engineMAC,
            containerMAC: options.namespaceMAC, ipv4: convert(ipv4), ipv6: convert(ipv6),
            mapGateway: options.mapGateway, mapGuestAddress: options.mapGuestAddress,
            dnsForward: options.dnsForward, dnsUpstreams: resolvers, dnsAdvertised: advertised,
            forwards: try PortForwardSpec.forwards(options.effectiveTCPPorts, .tcp)
                + PortForwardSpec.forwards(options.effectiveUDPPorts, .udp),
            namespaceForwards: try PortForwardSpec.namespaceForwards(
                options.effectiveTCPNamespacePorts, .tcp)
                + PortForwardSpec.namespaceForwards(options.effectiveUDPNamespacePorts, .udp),
            autoForward: EngineConfig.AutoForward(
                tcp: options.effectiveTCPPorts.contains(.auto),
                udp: options.effectiveUDPPorts.contains(.auto),
                tcpNamespace: options.effectiveTCPNamespacePorts.contains(.auto),
                udpNamespace: options.effectiveUDPNamespacePorts.contains(.auto)))
    }

    /// The `nameserver` lines of a resolv.conf.
    static func resolvers(fromResolvConf text: String) -> [IPAddress] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { return nil }
            // A scoped IPv6 resolver (fe80::1%eth0) loses its scope here.
            return IPAddress(String(fields[1].prefix { $0 != "%" }))
        }
    }
}
