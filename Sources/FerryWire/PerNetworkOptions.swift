import FerryAddress

/// What the container asks of one network: its interface name, addresses and aliases.
public struct PerNetworkOptions: Decodable, Equatable, Sendable {
    /// DNS names for the container on this network (used only when DNS is enabled).
    public var aliases: [String]
    /// The interface's name inside the container, e.g. "eth0". Required.
    public var interfaceName: String
    /// The addresses Podman's IPAM chose; absent reads as empty.
    public var staticIPs: [IPAddress]
    public var staticMAC: MACAddress?
    /// Per-container driver options (`--network NAME:KEY=VALUE`), e.g. host_interface_name.
    public var options: [String: String]

    public init(
        interfaceName: String, staticIPs: [IPAddress] = [], staticMAC: MACAddress? = nil,
        aliases: [String] = [], options: [String: String] = [:]
    ) {
        self.aliases = aliases
        self.interfaceName = interfaceName
        self.staticIPs = staticIPs
        self.staticMAC = staticMAC
        self.options = options
    }

    enum CodingKeys: String, CodingKey {
        case aliases, options
        case interfaceName = "interface_name"
        case staticIPs = "static_ips"
        case staticMAC = "static_mac"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        aliases = try fields.decodeList(String.self, .aliases)
        interfaceName = try fields.decode(String.self, forKey: .interfaceName)
        staticIPs = try fields.decodeAddressesIfPresent(.staticIPs) ?? []
        staticMAC = try fields.decodeMACIfPresent(.staticMAC)
        options = try fields.decodeStringMap(.options)
    }
}
