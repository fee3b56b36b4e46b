import FerryBridge
import FerryFirewall
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
    var firewall: FirewallChoice
    /// containers.conf, read when something needed it.
    let configSource: ConfigSource

    /// `namespacePath` is the container's namespace for setup's preflights; nil at
    /// teardown, which must not depend on the namespace still being there. `records`:
    /// teardown's, the modes setup recorded for driver-auto networks.
    static func load(
        _ global: GlobalOptions, environment: [String: String], namespacePath: String?,
        records: ModeRecords? = nil
    ) throws -> SpecRequest {
        let options = try NetworkOptions.decode(try readSpec(global))
        let rootless = HostPrivilege.current().rootless(flag: global.rootless)
        let configSource = ConfigSource(environment: environment, rootless: rootless.isRootless)
        let decisions = try ModeSelection.decide(
            options, rootless: rootless, configSource: configSource, environment: environment,
            namespacePath: namespacePath,
            recorded: { records?.read(containerID: options.containerID, network: $0) })
        let firewall = try FirewallChoice.resolve(
            flag: global.firewallDriver, environment: environment,
            configured: { try configSource.config().firewallDriver })
        for decision in decisions {
            for warning in decision.warnings { Log.warning("policy", warning) }
            Log.debug(
                "policy",
                "network \(decision.network): \(decision.mode.rawValue), \(decision.reason)")
        }
        return SpecRequest(
            options: options, decisions: decisions, rootless: rootless.isRootless,
            firewall: firewall, configSource: configSource)
    }

    /// The published ports, checked.
    var portForwards: [PortForward] {
        get throws { try BridgeConfig.portForwards(options.portMappings) }
    }

    /// Every network checked before anything is touched.
    func plansForSetup() throws -> [NetworkPlan] {
        let plans = try plans(lenient: false)
        try BridgeConfig.checkAcrossNetworks(options)
        return plans
    }

    /// The networks to tear down. Features that setup refuses (published ports, DNS) are
    /// not refused here: a teardown cleans whatever exists. Driver-auto networks take the
    /// mode setup recorded (ModeRecords) when there is a record.
    func plansForTeardown() throws -> [NetworkPlan] {
        try plans(lenient: true)
    }

    private func plans(lenient: Bool) throws -> [NetworkPlan] {
        var plans: [NetworkPlan] = []
        for decision in decisions {
            let name = decision.network
            var network = options.networkInfo[name]!
            let perNetwork = options.networks[name]!
            switch decision.mode {
            case .bridge:
                network.driver = "bridge"
                plans.append(
                    .bridge(
                        try BridgeConfig.make(
                            name: name, network: network, options: perNetwork,
                            rootless: rootless,
                            portMappingsRequested: !options.portMappings.isEmpty)))
            case .macvlan:
                plans.append(
                    .macvlan(
                        try MacvlanConfig.make(name: name, network: network, options: perNetwork)))
            case .pasta:
                plans.append(.pasta(network: name, interfaceName: perNetwork.interfaceName))
            case .slirp4netns:
                plans.append(
                    .slirp4netns(
                        network: name, interfaceName: perNetwork.interfaceName,
                        options: network.options))
            }
        }
        return plans
    }
}
