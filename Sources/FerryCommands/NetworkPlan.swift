import FerryBridge
import FerryFirewall
import FerryPolicy
import FerrySystem
import FerryWire

/// One network of a request, checked and bound to the driver of its decided mode.
enum NetworkPlan {
    case bridge(BridgeConfig)
    case macvlan(MacvlanConfig)

    var networkName: String {
        switch self {
        case .bridge(let config): config.networkName
        case .macvlan(let config): config.networkName
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

    init(stateDirectory: String, firewall: FirewallChoice, ports: [PortForward]) {
        self.stateDirectory = stateDirectory
        self.firewallChoice = firewall
        self.ports = ports
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
            }
        } catch {
            return [ContextError("tearing down network \(plan.networkName)", error)]
        }
    }
}
