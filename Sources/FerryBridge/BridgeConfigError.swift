import FerryAddress
import FerryWire

/// Why a bridge network's configuration was refused, naming the network and the value.
public enum BridgeConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The network's driver is not "bridge"; another mode must handle it.
    case unsupportedDriver(network: String, driver: String)
    /// `network_interface` is absent or empty.
    case missingBridgeName(network: String)
    /// `role` is "bridge", "container" or "host".
    case invalidInterfaceName(network: String, role: String, name: String, reason: String)
    case duplicateInterfaceName(name: String, firstNetwork: String, secondNetwork: String)
    /// An option value that does not parse; `expected` says what would.
    case invalidOption(network: String, key: String, value: String, expected: String)
    /// A valid option Ferry cannot honour; `reason` follows the option in the message.
    case unsupportedOption(network: String, key: String, value: String, reason: String)
    case unsupportedIPAMDriver(network: String, driver: String, reason: String)
    case overlappingSubnets(network: String, first: IPNetwork, second: IPNetwork)
    case gatewayOutsideSubnet(network: String, gateway: IPAddress, subnet: IPNetwork)
    case invalidStaticIP(network: String, address: IPAddress, reason: String)
    /// host-local IPAM with subnets, but Podman sent no static_ips.
    case missingStaticIPs(network: String)
    case invalidRoute(network: String, destination: IPNetwork, reason: String)
    case invalidStaticMAC(network: String, mac: MACAddress, reason: String)
    /// The container publishes ports; the bridge cannot forward them yet.
    /// A published port Ferry cannot set up; `mapping` reads like "tcp :8080 -> 80".
    case invalidPortMapping(mapping: String, reason: String)

    public var description: String {
        switch self {
        case .unsupportedDriver(let network, let driver):
            "network \(network): driver \(driver.quoted) is not handled by the bridge driver"
        case .missingBridgeName(let network):
            "network \(network): no bridge interface name given (network_interface)"
        case .invalidInterfaceName(let network, let role, let name, let reason):
            "network \(network): invalid \(role) interface name \(name.quoted): \(reason)"
        case .duplicateInterfaceName(let name, let first, let second):
            "interface name \(name.quoted) is used by both network \(first) and network \(second)"
        case .invalidOption(let network, let key, let value, let expected):
            "network \(network): invalid option \(key)=\(value.quoted): expected \(expected)"
        case .unsupportedOption(let network, let key, let value, let reason):
            "network \(network): option \(key)=\(value.quoted) \(reason)"
        case .unsupportedIPAMDriver(let network, let driver, let reason):
            "network \(network): ipam driver \(driver.quoted) \(reason)"
        case .overlappingSubnets(let network, let first, let second):
            "network \(network): subnets \(first) and \(second) overlap"
        case .gatewayOutsideSubnet(let network, let gateway, let subnet):
            "network \(network): gateway \(gateway) is not inside its subnet \(subnet)"
        case .invalidStaticIP(let network, let address, let reason):
            "network \(network): static ip \(address) \(reason)"
        case .missingStaticIPs(let network):
            "network \(network): no static ips given for ipam driver host-local"
        case .invalidRoute(let network, let destination, let reason):
            "network \(network): route to \(destination) \(reason)"
        case .invalidStaticMAC(let network, let mac, let reason):
            "network \(network): static mac \(mac) cannot be used: \(reason)"
        case .invalidPortMapping(let mapping, let reason):
            "published port \(mapping): \(reason)"
        }
    }
}
