/// What `ferry explain` shows: the rootless status, the files read, each effective value
/// with its source, and the decision for each network. Encodes to the JSON of
/// `--format json`; `text` is the human form.
public struct PolicyExplanation: Sendable, Encodable {
    public struct Rootless: Sendable, Encodable {
        public var rootless: Bool
        public var reason: String
    }

    public struct Value: Sendable, Encodable {
        public var key: String
        public var value: ConfigValue
        public var sources: [String]
    }

    public struct Preflight: Sendable, Encodable {
        public var mode: NetworkMode
        public var ready: Bool
        public var detail: String
    }

    public struct Network: Sendable, Encodable {
        public var name: String
        public var driver: String
        public var mode: NetworkMode
        public var reason: String
        public var warnings: [String]
        public var preflight: [Preflight]
    }

    public var rootless: Rootless
    public var filesRead: [String]
    public var values: [Value]
    public var networks: [Network]

    enum CodingKeys: String, CodingKey {
        case rootless, values, networks
        case filesRead = "files_read"
    }

    public init(config: ContainersConf, rootless: RootlessStatus, decisions: [ModeDecision]) {
        self.rootless = Rootless(rootless: rootless.isRootless, reason: rootless.reason)
        filesRead = config.filesRead
        values = ConfigKey.allCases.map {
            Value(key: $0.rawValue, value: config[$0].value, sources: config[$0].sources)
        }
        networks = decisions.map { decision in
            Network(
                name: decision.network, driver: decision.driver, mode: decision.mode,
                reason: decision.reason, warnings: decision.warnings,
                preflight: decision.preflights.map {
                    Preflight(mode: $0.mode, ready: $0.answer.isReady, detail: $0.answer.detail)
                })
        }
    }

    /// The human form, one section per network, then the files and the values.
    public var text: String {
        var lines: [String] = []
        let state = rootless.rootless ? "yes" : "no"
        lines.append("rootless: \(state) (\(rootless.reason))")
        for network in networks {
            lines.append("")
            lines.append("network \(network.name) (driver \(network.driver))")
            lines.append("  mode:      \(network.mode.rawValue)")
            lines.append("  reason:    \(network.reason)")
            for warning in network.warnings { lines.append("  warning:   \(warning)") }
            for check in network.preflight {
                let verdict = check.ready ? "ready" : "cannot run"
                lines.append("  preflight: \(check.mode.rawValue): \(verdict): \(check.detail)")
            }
        }

        lines.append("")
        lines.append("files read, in order:")
        if filesRead.isEmpty { lines.append("  (none: built-in defaults only)") }
        for (index, file) in filesRead.enumerated() { lines.append("  \(index + 1). \(file)") }

        lines.append("")
        lines.append("effective values:")
        for value in values {
            let key = ConfigKey(rawValue: value.key)!.displayName
            lines.append("  \(key) = \(value.value.tomlText)")
            lines.append("      from \(value.sources.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ConfigValue: Encodable {
    /// The value as plain JSON: a string, a number, an array of strings, or of pools.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        case .strings(let items): try container.encode(items)
        case .subnetPools(let pools): try container.encode(pools)
        }
    }
}
