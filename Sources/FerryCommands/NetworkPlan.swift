import FerryBridge
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

/// The drivers of one call, opened when first needed.
final class NetworkDrivers {
    let stateDirectory: String
    private var bridgeDriver: BridgeDriver?
    private var macvlanDriver: MacvlanDriver?

    init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    func bridge() throws -> BridgeDriver {
        if let bridgeDriver { return bridgeDriver }
        let driver = try BridgeDriver(stateDirectory: stateDirectory)
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
            try bridge().setup(config, containerID: containerID, in: namespace)
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
