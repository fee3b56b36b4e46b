/// The containers.conf keys Ferry reads, with their types and Podman's built-in defaults.
///
/// A key is named by its table and name, spelled `network.pasta_options` in explanations and
/// `[network] pasta_options` in messages, as the man page writes it.
public enum ConfigKey: String, CaseIterable, Sendable, Comparable {
    case defaultRootlessNetworkCmd = "network.default_rootless_network_cmd"
    case pastaOptions = "network.pasta_options"
    case networkBackend = "network.network_backend"
    case defaultNetwork = "network.default_network"
    case defaultSubnet = "network.default_subnet"
    case defaultSubnetPools = "network.default_subnet_pools"
    case netavarkPluginDirs = "network.netavark_plugin_dirs"
    case firewallDriver = "network.firewall_driver"
    case dnsBindPort = "network.dns_bind_port"
    case networkConfigDir = "network.network_config_dir"
    case helperBinariesDir = "engine.helper_binaries_dir"
    case networkCmdPath = "engine.network_cmd_path"
    case networkCmdOptions = "engine.network_cmd_options"
    case netns = "containers.netns"
    case dnsServers = "containers.dns_servers"
    case dnsSearches = "containers.dns_searches"

    /// The value types a key can have.
    public enum Kind: Sendable, Equatable {
        case string
        case port
        /// Podman's "attributed string slice": strings, plus an optional `{append=bool}`.
        case stringArray
        /// An array of `{base = "CIDR", size = N}` tables.
        case subnetPools

        var expected: String {
            switch self {
            case .string: "a string"
            case .port: "an integer from 0 to 65535"
            case .stringArray: "an array of strings"
            case .subnetPools: "an array of tables {base = \"CIDR\", size = integer}"
            }
        }
    }

    public var table: String { String(rawValue.prefix { $0 != "." }) }
    public var name: String { String(rawValue.drop { $0 != "." }.dropFirst()) }

    /// "[network] pasta_options", the spelling used in messages.
    public var displayName: String { "[\(table)] \(name)" }

    public var kind: Kind {
        switch self {
        case .pastaOptions, .netavarkPluginDirs, .helperBinariesDir, .networkCmdOptions,
            .dnsServers, .dnsSearches:
            .stringArray
        case .defaultSubnetPools: .subnetPools
        case .dnsBindPort: .port
        default: .string
        }
    }

    /// The key for a table and a name, when Ferry reads it.
    public init?(table: String, name: String) {
        self.init(rawValue: "\(table).\(name)")
    }

    /// The tables that hold keys Ferry reads.
    static let tables: Set<String> = Set(allCases.map(\.table))

    public static func < (lhs: ConfigKey, rhs: ConfigKey) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

extension ConfigKey {
    /// Podman's built-in value, as containers/common's `defaultConfig()` sets it on Linux.
    ///
    /// network_backend and dns_bind_port are empty and 0 in Podman, meaning "netavark" and
    /// 53; Ferry states the meaning. network_config_dir is empty here: Podman then uses
    /// /etc/containers/networks (rootful) or the storage graph root's `networks` (rootless).
    public var builtInDefault: ConfigValue {
        switch self {
        case .defaultRootlessNetworkCmd: .string("pasta")
        case .pastaOptions: .strings([])
        case .networkBackend: .string("netavark")
        case .defaultNetwork: .string("podman")
        case .defaultSubnet: .string("10.88.0.0/16")
        case .defaultSubnetPools:
            .subnetPools([
                SubnetPool(base: "10.89.0.0/16", size: 24),
                SubnetPool(base: "10.90.0.0/15", size: 24),
                SubnetPool(base: "10.92.0.0/14", size: 24),
                SubnetPool(base: "10.96.0.0/11", size: 24),
                SubnetPool(base: "10.128.0.0/9", size: 24),
            ])
        case .netavarkPluginDirs:
            .strings([
                "/usr/local/libexec/netavark", "/usr/libexec/netavark",
                "/usr/local/lib/netavark", "/usr/lib/netavark",
            ])
        case .firewallDriver: .string("")
        case .dnsBindPort: .integer(53)
        case .networkConfigDir: .string("")
        case .helperBinariesDir:
            .strings([
                "/usr/local/libexec/podman", "/usr/local/lib/podman", "/usr/libexec/podman",
                "/usr/lib/podman",
            ])
        case .networkCmdPath: .string("")
        case .networkCmdOptions: .strings([])
        case .netns: .string("private")
        case .dnsServers: .strings([])
        case .dnsSearches: .strings([])
        }
    }
}
