import FerryPolicy
import FerryWire

/// Runs the policy over a spec: one decision per network, in setup order.
enum ModeSelection {
    /// `namespacePath` lets the engine's preflight try a tap there; teardown passes nil.
    /// `recorded` gives the mode setup recorded for a network (teardown); those networks
    /// are not decided again.
    static func decide(
        _ options: NetworkOptions, rootless: RootlessStatus, configSource: ConfigSource,
        environment: [String: String], namespacePath: String?,
        recorded: (String) -> NetworkMode? = { _ in nil }
    ) throws -> [ModeDecision] {
        var requests = options.orderedNetworks.map { name, _ in
            let network = options.networkInfo[name]!
            return NetworkRequest(name: name, driver: network.driver, options: network.options)
        }
        var known: [String: ModeDecision] = [:]
        for request in requests where request.driver == "auto" {
            if let mode = recorded(request.name) {
                known[request.name] = ModeDecision(
                    network: request.name, driver: request.driver, mode: mode,
                    reason: "driver auto: \(mode.rawValue), as recorded at setup")
            }
        }
        requests.removeAll { known[$0.name] != nil }

        // bridge and macvlan are honoured as given, whatever containers.conf says, so
        // reading the files is only worth it when some network leaves the choice open.
        let needsConfig = requests.contains { !["bridge", "macvlan"].contains($0.driver) }
        let config = needsConfig ? try configSource.config() : ContainersConf()
        let decider = ModeDecider(
            config: config,
            context: PreflightContext(
                namespacePath: namespacePath, rootless: rootless, environment: environment),
            preflights: [.pasta: EnginePreflight()])
        for request in requests { known[request.name] = try decider.decide(request) }
        return options.orderedNetworks.map { name, _ in known[name]! }
    }
}
