import FerryFirewall
import FerryPolicy
import FerrySystem
import FerryWire

/// Which firewall a call uses: `--firewall-driver`, else `NETAVARK_FW`, else
/// containers.conf's `firewall_driver`, else nftables. `none` means no rules at all.
enum FirewallChoice: String {
    case nftables
    case none

    static func resolve(
        flag: String?, environment: [String: String], configured: () throws -> String
    ) throws -> FirewallChoice {
        if let choice = try parse(flag, source: "--firewall-driver") { return choice }
        if let choice = try parse(environment["NETAVARK_FW"], source: "NETAVARK_FW") {
            return choice
        }
        if let choice = try parse(try configured(), source: "containers.conf firewall_driver") {
            return choice
        }
        return .nftables
    }

    /// nil for an unset or empty value; an error for a driver Ferry does not have.
    private static func parse(_ value: String?, source: String) throws -> FirewallChoice? {
        guard let value, !value.isEmpty else { return nil }
        guard let choice = FirewallChoice(rawValue: value) else {
            throw MessageError(
                "firewall driver \(value.quoted) from \(source) is not supported"
                    + " (expected nftables or none)")
        }
        return choice
    }

    /// The firewall of this choice, under the state directory.
    func open(stateDirectory: String) throws -> Firewall? {
        switch self {
        case .nftables: try Firewall(configDirectory: stateDirectory)
        case .none: nil
        }
    }
}

/// containers.conf, read once per call and only when something needs it.
final class ConfigSource {
    private let environment: [String: String]
    private let rootless: Bool
    private var loaded: ContainersConf?

    init(environment: [String: String], rootless: Bool) {
        self.environment = environment
        self.rootless = rootless
    }

    func config() throws -> ContainersConf {
        if let loaded { return loaded }
        let config = try ConfigLoader.current(environment: environment, rootless: rootless).load()
        loaded = config
        return config
    }
}
