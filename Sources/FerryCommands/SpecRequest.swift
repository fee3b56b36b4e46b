import FerryBridge
import FerryPolicy
import FerrySystem
import FerryWire

/// One setup or teardown request: the decoded spec, with the mode of each network decided
/// by the policy.
struct SpecRequest {
    var options: NetworkOptions
    var decisions: [ModeDecision]
    /// `--rootless true`: Podman runs the helper inside its rootless network namespace.
    var rootless: Bool

    static func load(_ global: GlobalOptions, environment: [String: String]) throws
        -> SpecRequest
    {
        let options = try NetworkOptions.decode(try readSpec(global))
        let decisions = try ModeSelection.decide(
            options, global: global, environment: environment)
        for decision in decisions {
            for warning in decision.warnings { Log.warning("policy", warning) }
            Log.debug(
                "policy",
                "network \(decision.network): \(decision.mode.rawValue), \(decision.reason)")
        }
        let rootless = HostPrivilege.current().rootless(flag: global.rootless).isRootless
        return SpecRequest(options: options, decisions: decisions, rootless: rootless)
    }

    /// Every network checked before anything is touched; a mode not built yet is an error.
    func configsForSetup() throws -> [BridgeConfig] {
        let resolved = try ModeSelection.bridgeOnly(options, decisions)
        return try BridgeConfig.validateAll(resolved, rootless: rootless)
    }

    /// The bridge networks to tear down. Features that setup refuses (published ports,
    /// DNS) are not refused here: a teardown must clean whatever exists.
    // FIXME: the mode is decided again at teardown; a containers.conf changed in between
    // could send a network to the wrong driver. Setup should record each network's mode.
    func configsForTeardown() throws -> [BridgeConfig] {
        var configs: [BridgeConfig] = []
        for decision in decisions where decision.mode == .bridge {
            var network = options.networkInfo[decision.network]!
            network.driver = "bridge"
            configs.append(
                try BridgeConfig.make(
                    name: decision.network, network: network,
                    options: options.networks[decision.network]!, rootless: rootless,
                    portMappingsRequested: !options.portMappings.isEmpty))
        }
        return configs
    }
}
