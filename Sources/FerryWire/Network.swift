import FerryAddress

/// One network's definition, as Podman stores it in its network config directory and sends
/// it in `network_info`. Fields netavark does not read (`created`) are kept as text; fields
/// this type does not know are ignored.
public struct Network: Decodable, Equatable, Sendable {
    public var name: String
    public var id: String
    /// "bridge", "macvlan", "ipvlan", or a plugin name.
    public var driver: String
    /// The bridge's name on the host (for macvlan: the parent interface); nil if unset.
    public var networkInterface: String?
    public var subnets: [Subnet]
    /// Static routes to add in the container; empty when the field is absent.
    public var routes: [Route]
    public var ipv6Enabled: Bool
    public var isInternal: Bool
    public var dnsEnabled: Bool
    /// DNS servers aardvark-dns forwards to for this network; empty when absent.
    public var networkDNSServers: [IPAddress]
    /// Driver options (`podman network create -o KEY=VALUE`); empty when absent.
    public var options: [String: String]
    /// IPAM options; the key "driver" selects host-local (the default), none or dhcp.
    public var ipamOptions: [String: String]
    /// Creation time as Podman wrote it, kept only for logs.
    public var created: String?

    public init(
        name: String, id: String = "", driver: String = "bridge", networkInterface: String? = nil,
        subnets: [Subnet] = [], routes: [Route] = [], ipv6Enabled: Bool = false,
        isInternal: Bool = false, dnsEnabled: Bool = false, networkDNSServers: [IPAddress] = [],
        options: [String: String] = [:], ipamOptions: [String: String] = [:],
        created: String? = nil
    ) {
        self.name = name
        self.id = id
        self.driver = driver
        self.networkInterface = networkInterface
        self.subnets = subnets
        self.routes = routes
        self.ipv6Enabled = ipv6Enabled
        self.isInternal = isInternal
        self.dnsEnabled = dnsEnabled
        self.networkDNSServers = networkDNSServers
        self.options = options
        self.ipamOptions = ipamOptions
        self.created = created
    }

    enum CodingKeys: String, CodingKey {
        case name, id, driver, subnets, routes, options, created
        case isInternal = "internal"
        case networkInterface = "network_interface"
        case ipv6Enabled = "ipv6_enabled"
        case dnsEnabled = "dns_enabled"
        case networkDNSServers = "network_dns_servers"
        case ipamOptions = "ipam_options"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        name = try fields.decode(String.self, forKey: .name)
        id = try fields.decode(String.self, forKey: .id)
        driver = try fields.decode(String.self, forKey: .driver)
        networkInterface = try fields.decodeIfPresent(String.self, forKey: .networkInterface)
        subnets = try fields.decodeList(Subnet.self, .subnets)
        routes = try fields.decodeList(Route.self, .routes)
        ipv6Enabled = try fields.decode(Bool.self, forKey: .ipv6Enabled)
        isInternal = try fields.decode(Bool.self, forKey: .isInternal)
        dnsEnabled = try fields.decode(Bool.self, forKey: .dnsEnabled)
        networkDNSServers = try fields.decodeAddressesIfPresent(.networkDNSServers) ?? []
        options = try fields.decodeStringMap(.options)
        ipamOptions = try fields.decodeStringMap(.ipamOptions)
        created = try fields.decodeIfPresent(String.self, forKey: .created)
    }
}

/// A subnet of a network, with the gateway the bridge holds in it.
public struct Subnet: Decodable, Equatable, Sendable {
    /// The subnet, e.g. 10.88.0.0/16.
    public var subnet: IPNetwork
    /// The bridge's address in the subnet; nil when the network has no gateway.
    public var gateway: IPAddress?
    /// Where host-local IPAM hands out addresses; Podman's business, kept for completeness.
    public var leaseRange: LeaseRange?

    public init(subnet: IPNetwork, gateway: IPAddress? = nil, leaseRange: LeaseRange? = nil) {
        self.subnet = subnet
        self.gateway = gateway
        self.leaseRange = leaseRange
    }

    enum CodingKeys: String, CodingKey {
        case subnet, gateway
        case leaseRange = "lease_range"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        subnet = try fields.decodeNetwork(.subnet)
        gateway = try fields.decodeAddressIfPresent(.gateway)
        leaseRange = try fields.decodeIfPresent(LeaseRange.self, forKey: .leaseRange)
    }
}

/// The first and last address IPAM may hand out in a subnet.
public struct LeaseRange: Decodable, Equatable, Sendable {
    public var startIP: IPAddress?
    public var endIP: IPAddress?

    public init(startIP: IPAddress? = nil, endIP: IPAddress? = nil) {
        self.startIP = startIP
        self.endIP = endIP
    }

    enum CodingKeys: String, CodingKey {
        case startIP = "start_ip"
        case endIP = "end_ip"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        startIP = try fields.decodeAddressIfPresent(.startIP)
        endIP = try fields.decodeAddressIfPresent(.endIP)
    }
}
