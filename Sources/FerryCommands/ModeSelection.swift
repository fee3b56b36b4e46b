import FerryPolicy
import FerryWire

/// Runs the policy over a spec: one decision per network, in setup order.
enum ModeSelection {
    /// `namespacePath` lets the engine's preflight try a tap there; teardown passes nil.
    static func decide(
        _ options: NetworkOptions, rootless: RootlessStatus, configSource: ConfigSource,
        environment: [String: String], namespacePath: String?
    ) throws -> [ModeDecision] {
        let requests = options.orderedNetworks.map { name, _ in
            let network = options.networkInfo[name]!
            return NetworkRequest(name: name, driver: network.driver, options: network.options)
        }

        // bridge and macvlan are honoured as given, whatever containers.conf says, so
        // reading the files is only worth it when some network leaves the choice open.
        let needsConfig = requests.contains { !["bridge", "macvlan"].contains($0.driver) }
        let config = needsConfig ? try configSource.config() : ContainersConf()
        let decider = ModeDecider(
            config: config,
            context: PreflightContext(
                namespacePath: namespacePath, rootless: rootless, environment: environment),
            preflights: [.pasta: EnginePreflight()])
        return try requests.map { request in try decider.decide(request) }
    }
}
