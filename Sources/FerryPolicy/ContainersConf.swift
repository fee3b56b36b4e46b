/// The effective containers.conf: each key Ferry reads, its value, and where it came from.
///
/// It starts from Podman's built-in defaults; `merge(_:from:)` applies one file on top, key
/// by key, as the loader reads them in order.
public struct ContainersConf: Sendable, Equatable {
    /// What `sources` holds for a value nobody set.
    public static let builtInSource = "built-in default"

    /// One key's effective value.
    public struct Entry: Sendable, Equatable {
        public var value: ConfigValue
        /// The files that made the value, oldest first: one file, or several when an array
        /// was appended to; `builtInSource` when it is the built-in default (or was appended
        /// to it).
        public var sources: [String]
        /// Whether later files append to this string array instead of replacing it: set by
        /// an `{append=true}` element and kept until a file says `{append=false}`.
        public var appending: Bool
    }

    public private(set) var entries: [ConfigKey: Entry]
    /// The files merged so far, in the order they were read.
    public internal(set) var filesRead: [String] = []

    /// Podman's built-in defaults, no file read.
    public init() {
        var entries: [ConfigKey: Entry] = [:]
        for key in ConfigKey.allCases {
            entries[key] = Entry(
                value: key.builtInDefault, sources: [Self.builtInSource], appending: false)
        }
        self.entries = entries
    }

    public subscript(key: ConfigKey) -> Entry { entries[key]! }

    /// The sources of a key's value as one line, e.g. "/etc/containers/containers.conf".
    public func source(of key: ConfigKey) -> String {
        self[key].sources.joined(separator: ", ")
    }

    mutating func update(_ key: ConfigKey, _ entry: Entry) {
        entries[key] = entry
    }
}

// Typed accessors for each key Ferry reads.
extension ContainersConf {
    public var defaultRootlessNetworkCmd: String { string(.defaultRootlessNetworkCmd) }
    public var pastaOptions: [String] { strings(.pastaOptions) }
    public var networkBackend: String { string(.networkBackend) }
    public var defaultNetwork: String { string(.defaultNetwork) }
    public var defaultSubnet: String { string(.defaultSubnet) }
    public var netavarkPluginDirs: [String] { strings(.netavarkPluginDirs) }
    public var firewallDriver: String { string(.firewallDriver) }
    public var networkConfigDir: String { string(.networkConfigDir) }
    public var helperBinariesDir: [String] { strings(.helperBinariesDir) }
    public var networkCmdPath: String { string(.networkCmdPath) }
    public var networkCmdOptions: [String] { strings(.networkCmdOptions) }
    public var netns: String { string(.netns) }
    public var dnsServers: [String] { strings(.dnsServers) }
    public var dnsSearches: [String] { strings(.dnsSearches) }

    public var defaultSubnetPools: [SubnetPool] {
        guard case .subnetPools(let pools) = self[.defaultSubnetPools].value else {
            preconditionFailure("default_subnet_pools holds subnet pools by construction")
        }
        return pools
    }

    /// The port of the DNS forwarder; Podman's 0 ("unset") reads as 53.
    public var dnsBindPort: UInt16 {
        guard case .integer(let port) = self[.dnsBindPort].value else {
            preconditionFailure("dns_bind_port holds an integer by construction")
        }
        return port == 0 ? 53 : UInt16(port)
    }

    private func string(_ key: ConfigKey) -> String {
        guard case .string(let text) = self[key].value else {
            preconditionFailure("\(key.rawValue) holds a string by construction")
        }
        return text
    }

    private func strings(_ key: ConfigKey) -> [String] {
        guard case .strings(let items) = self[key].value else {
            preconditionFailure("\(key.rawValue) holds strings by construction")
        }
        return items
    }
}
