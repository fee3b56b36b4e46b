import FerrySystem

/// The one place that decides each network's mode.
///
/// 1. The network's driver `bridge` or `macvlan` is honoured as given, rootless or not
///    (rootless, that is Podman's rootless network namespace). `pasta` and `slirp4netns`
///    are honoured as given too; if that mode's preflight fails, the decision fails.
/// 2. Driver `auto` means "as configured". `[containers] netns` set to pasta, slirp4netns
///    or bridge (with or without ":options") picks that mode, rootful or rootless, as
///    Podman takes it for the default `--network`. Otherwise ("private", Podman's default)
///    rootful gives bridge and rootless gives `[network] default_rootless_network_cmd`.
///    `[network] default_network` names a network; it never changes the mode.
/// 3. A configured pasta that fails its preflight falls back to slirp4netns when
///    slirp4netns passes its own, with a warning saying why; when nothing can run the error
///    names every mode tried and why each failed.
public struct ModeDecider: Sendable {
    public var config: ContainersConf
    public var context: PreflightContext
    /// Preflights supplied by the caller; a mode missing here uses its standard one.
    public var preflights: [NetworkMode: any ModePreflight]

    public init(
        config: ContainersConf, context: PreflightContext,
        preflights: [NetworkMode: any ModePreflight] = [:]
    ) {
        self.config = config
        self.context = context
        self.preflights = preflights
    }

    public func decide(_ network: NetworkRequest) throws(PolicyError) -> ModeDecision {
        switch network.driver {
        case "bridge", "macvlan", "pasta", "slirp4netns":
            let mode = NetworkMode(rawValue: network.driver)!
            let record = preflight(mode, network)
            guard record.answer.isReady else {
                throw .modeCannotRun(network: network.name, record: record)
            }
            return ModeDecision(
                network: network.name, driver: network.driver, mode: mode,
                reason: "the network's driver is \(mode.rawValue): honoured as given",
                preflights: [record])
        case "auto":
            return try decideConfigured(network)
        default:
            throw .unsupportedDriver(network: network.name, driver: network.driver)
        }
    }

    private func decideConfigured(_ network: NetworkRequest) throws(PolicyError)
        -> ModeDecision
    {
        let (mode, why, notes) = try configuredMode()
        let reason = "driver auto: \(why)"
        let first = preflight(mode, network)
        if first.answer.isReady {
            return ModeDecision(
                network: network.name, driver: network.driver, mode: mode, reason: reason,
                warnings: notes, preflights: [first])
        }
        guard mode == .pasta else {
            throw .noModeCanRun(network: network.name, tried: [first])
        }

        let fallback = preflight(.slirp4netns, network)
        guard fallback.answer.isReady else {
            throw .noModeCanRun(network: network.name, tried: [first, fallback])
        }
        let warning =
            "network \(network.name): pasta cannot run here (\(first.answer.detail));"
            + " falling back to slirp4netns"
        Log.warning("policy", warning)
        return ModeDecision(
            network: network.name, driver: network.driver, mode: .slirp4netns,
            reason: reason + "; pasta failed its preflight, slirp4netns passed",
            warnings: notes + [warning], preflights: [first, fallback])
    }

    /// The mode the configuration asks for, why, and notes about ignored settings.
    private func configuredMode() throws(PolicyError)
        -> (NetworkMode, String, [String])
    {
        var notes: [String] = []
        let rootless = context.rootless
        let netns = config.netns
        let netnsMode = String(netns.prefix { $0 != ":" })
        switch netnsMode {
        case "pasta", "slirp4netns", "bridge":
            let state = rootless.isRootless ? "rootless" : "rootful"
            return (
                NetworkMode(rawValue: netnsMode)!,
                "\(ConfigKey.netns.displayName) = \"\(netns)\" (from \(config.source(of: .netns)))"
                    + " picks it (\(state): \(rootless.reason))",
                notes
            )
        case "", "private":
            break
        default:
            notes.append(
                "\(ConfigKey.netns.displayName) = \"\(netns)\" (from \(config.source(of: .netns)))"
                    + " names no network mode Ferry provides; ignored")
        }

        guard rootless.isRootless else {
            return (.bridge, "rootful (\(rootless.reason)) gives bridge", notes)
        }
        let command = config.defaultRootlessNetworkCmd
        let source = config.source(of: .defaultRootlessNetworkCmd)
        guard command == "pasta" || command == "slirp4netns" else {
            throw .invalidConfiguredMode(
                key: ConfigKey.defaultRootlessNetworkCmd.displayName, value: command,
                source: source, allowed: ["pasta", "slirp4netns"])
        }
        return (
            NetworkMode(rawValue: command)!,
            "rootless (\(rootless.reason)) gives"
                + " \(ConfigKey.defaultRootlessNetworkCmd.displayName) = \"\(command)\""
                + " (from \(source))",
            notes
        )
    }

    private func preflight(_ mode: NetworkMode, _ network: NetworkRequest) -> PreflightRecord {
        let check = preflights[mode] ?? mode.standardPreflight
        let answer = check.check(network, config: config, context: context)
        Log.debug("policy", "network \(network.name): preflight \(mode.rawValue): \(answer)")
        return PreflightRecord(mode: mode, answer: answer)
    }
}
