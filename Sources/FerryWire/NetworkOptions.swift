import FerryAddress
import Foundation

/// What Podman sends on stdin for `setup` and `teardown`: the container, the networks it
/// joins with its options on each, and each network's definition.
///
/// `networks` may be a JSON object (name to options, as Podman sends it) or an array of
/// objects each carrying a "name"; both decode to the same value. Every network named in
/// `networks` must have an entry in `network_info`.
public struct NetworkOptions: Decodable, Equatable, Sendable {
    public var containerID: String
    public var containerName: String
    public var containerHostname: String?
    public var portMappings: [PortMapping]
    /// The container's options on each network it joins, by network name.
    public var networks: [String: PerNetworkOptions]
    /// The definitions of the networks, by name; holds at least every key of `networks`.
    public var networkInfo: [String: Network]
    /// Custom DNS servers for the container (`podman run --dns`); nil when not given.
    public var dnsServers: [IPAddress]?
    /// The order to set networks up in: the array's order, or for an object sorted by
    /// interface name, then network name.
    public private(set) var networkOrder: [String]

    public init(
        containerID: String, containerName: String, containerHostname: String? = nil,
        portMappings: [PortMapping] = [], networks: [(name: String, options: PerNetworkOptions)],
        networkInfo: [String: Network], dnsServers: [IPAddress]? = nil
    ) {
        self.containerID = containerID
        self.containerName = containerName
        self.containerHostname = containerHostname
        self.portMappings = portMappings
        self.networks = Dictionary(networks.map { ($0.name, $0.options) }) { first, _ in first }
        self.networkInfo = networkInfo
        self.dnsServers = dnsServers
        self.networkOrder = networks.map(\.name)
    }

    /// The networks in `networkOrder`, each with the container's options on it.
    public var orderedNetworks: [(name: String, options: PerNetworkOptions)] {
        networkOrder.map { (name: $0, options: networks[$0]!) }
    }

    /// Decodes the JSON Podman wrote; errors name the offending field.
    public static func decode(_ data: Data) throws(WireError) -> NetworkOptions {
        do {
            return try JSONDecoder().decode(NetworkOptions.self, from: data)
        } catch {
            throw WireError.wrapping(error, subject: "network options")
        }
    }

    enum CodingKeys: String, CodingKey {
        case networks
        case containerID = "container_id"
        case containerName = "container_name"
        case containerHostname = "container_hostname"
        case portMappings = "port_mappings"
        case networkInfo = "network_info"
        case dnsServers = "dns_servers"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        containerID = try fields.decode(String.self, forKey: .containerID)
        containerName = try fields.decode(String.self, forKey: .containerName)
        containerHostname = try fields.decodeIfPresent(String.self, forKey: .containerHostname)
        portMappings = try fields.decodeList(PortMapping.self, .portMappings)
        dnsServers = try fields.decodeAddressesIfPresent(.dnsServers)
        networkInfo = try fields.decode([String: Network].self, forKey: .networkInfo)

        let requested = try Self.decodeNetworks(fields)
        networks = Dictionary(requested.map { ($0.name, $0.options) }) { first, _ in first }
        networkOrder = requested.map(\.name)

        for name in networkOrder where networkInfo[name] == nil {
            throw FieldError(
                fields.codingPath + [CodingKeys.networkInfo],
                "missing network \(name.quoted), which networks requests")
        }
    }

    /// Reads `networks` in either spelling, in the order described on `networkOrder`.
    private static func decodeNetworks(_ fields: KeyedDecodingContainer<CodingKeys>) throws
        -> [(name: String, options: PerNetworkOptions)]
    {
        if (try? fields.nestedUnkeyedContainer(forKey: .networks)) != nil {
            let named = try fields.decode([NamedNetworkOptions].self, forKey: .networks)
            var seen: Set<String> = []
            for (index, entry) in named.enumerated() where !seen.insert(entry.name).inserted {
                throw FieldError(
                    fields.codingPath + [CodingKeys.networks, IndexKey(index)],
                    "network \(entry.name.quoted) is listed twice")
            }
            return named.map { (name: $0.name, options: $0.options) }
        }
        let map = try fields.decode([String: PerNetworkOptions].self, forKey: .networks)
        return map.sorted { left, right in
            (left.value.interfaceName, left.key) < (right.value.interfaceName, right.key)
        }.map { (name: $0.key, options: $0.value) }
    }
}

/// One element of the array spelling of `networks`: a name plus the per-network options.
private struct NamedNetworkOptions: Decodable {
    let name: String
    let options: PerNetworkOptions

    enum CodingKeys: String, CodingKey { case name }

    init(from decoder: any Decoder) throws {
        name = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .name)
        options = try PerNetworkOptions(from: decoder)
    }
}
