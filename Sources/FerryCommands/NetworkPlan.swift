import FerryBridge
import FerryFirewall
import FerryPolicy
import FerrySystem
import FerryWire

/// One network of a request, checked and bound to the driver of its decided mode.
enum NetworkPlan {
    case bridge(BridgeConfig)
    case macvlan(MacvlanConfig)
    /// Ferry's engine; its options come from containers.conf at setup.
    case pasta(network: String, interfaceName: String)
    /// slirp4netns; `options` are the network's own, over containers.conf's.
    case slirp4netns(network: String, interfaceName: String, options: [String: String])

    var networkName: String {
        switch self {
        case .bridge(let config): config.networkName
        case .macvlan(let config): config.networkName
        case .pasta(let network, _): network
        case .slirp4netns(let network, _, _): network
        }
    }
}

extension [NetworkPlan] {
    /// The bridge networks' configs, in order.
    var bridgeConfigs: [BridgeConfig] {
        compactMap { plan in
            if case .bridge(let config) = plan { return config }
            return nil
        }
    }
}

/// The drivers of one call, opened when first needed.
final class NetworkDrivers {
    let stateDirectory: String
    let firewallChoice: FirewallChoice
    let ports: [PortForward]
    private var bridgeDriver: BridgeDriver?
    private var macvlanDriver: MacvlanDriver?

    /// containers.conf, read only when a pasta or slirp4netns network needs it.
    let config: () throws -> ContainersConf
    /// The caller's environment, where slirp4netns is looked for (PATH).
    let environment: [String: String]

    init(
        stateDirectory: String, firewall: FirewallChoice, ports: [PortForward],
        environment: [String: String], config: @escaping () throws -> ContainersConf
    ) {
        self.stateDirectory = stateDirectory
        self.firewallChoice = firewall
        self.ports = ports
        self.environment = environment
        self.config = config
    }

    func pasta() throws -> PastaMode {
        PastaMode(stateDirectory: stateDirectory, pastaOptions: try config().pastaOptions)
    }

    func slirp4netns() throws -> Slirp4netnsMode {
        Slirp4netnsMode(
            stateDirectory: stateDirectory, config: try config(), environment: environment)
    }

    func bridge() throws -> BridgeDriver {
        if let bridgeDriver { return bridgeDriver }
        let firewall = try firewallChoice.open(stateDirectory: stateDirectory)
        let driver = try BridgeDriver(stateDirectory: stateDirectory, firewall: firewall)
        bridgeDriver = driver
        return driver
    }

    func macvlan() throws -> MacvlanDriver {
        if let macvlanDriver { return macvlanDriver }
        let driver = try MacvlanDriver()
        macvlanDriver = driver
        return driver
    }

    func setup(_ plan: NetworkPlan, containerID: String, in namespace: NetworkNamespace)
        throws -> StatusBlock
    {
        switch plan {
        case .bridge(let config):
            try bridge().setup(config, containerID: containerID, ports: ports, in: namespace)
        case .macvlan(let config):
            try macvlan().setup(config, in: namespace)
        case .pasta(let network, let interfaceName):
            try pasta().setup(
                network: network, containerID: containerID, interfaceName: interfaceName,
                namespacePath: namespace.path, ports: ports)
        case .slirp4netns(let network, let interfaceName, let options):
            try slirp4netns().setup(
                network: network, containerID: containerID, interfaceName: interfaceName,
                networkOptions: options, ports: ports, namespacePath: namespace.path)
        }
    }

    func teardown(_ plan: NetworkPlan, containerID: String, in namespace: NetworkNamespace?)
        -> [any Error]
    {
        do {
            switch plan {
            case .bridge(let config):
                return try bridge().teardown(config, containerID: containerID, in: namespace)
            case .macvlan(let config):
                return try macvlan().teardown(config, in: namespace)
            case .pasta(let network, _), .slirp4netns(let network, _, _):
                // Both, whichever was decided: teardown decides the mode again, and a
                // setup that fell back to slirp4netns may now see pasta pass (no namespace
                // to try a tap in), or the reverse.
                let pasta = PastaMode(stateDirectory: stateDirectory, pastaOptions: [])
                    .teardown(network: network, containerID: containerID)
                let slirp = Slirp4netnsMode(
                    stateDirectory: stateDirectory, config: ContainersConf(),
                    environment: environment
                ).teardown(network: network, containerID: containerID)
                return pasta + slirp
            }
        } catch {
            return [ContextError("tearing down network \(plan.networkName)", error)]
        }
    }
}
