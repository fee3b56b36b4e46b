/// What can go wrong in the firewall layer: a request it cannot express as rules, nft
/// refusing a batch, or the saved state being unreadable.
public enum FirewallError: Error, CustomStringConvertible, Sendable {
    case invalid(String)
    case invalidPort(PortForward)
    case noContainerAddress(PortForward, network: String)
    case nftables(NFTablesError)
    case state(String, any Error)

    public var description: String {
        switch self {
        case .invalid(let message):
            message
        case .invalidPort(let port):
            "published port \(Self.describe(port)): "
                + "ports must be 1 to 65535 and the range must fit below 65536"
        case .noContainerAddress(let port, let network):
            "published port \(Self.describe(port)): the container has no address "
                + "of that family on network \(network)"
        case .nftables(let error):
            error.description
        case .state(let operation, let error):
            "\(operation): \(error)"
        }
    }

    /// "tcp 0.0.0.0:8080-8081 -> 80-81", the way a user wrote it.
    static func describe(_ port: PortForward) -> String {
        func span(_ start: UInt16) -> String {
            port.count > 1 ? "\(start)-\(Int(start) + Int(port.count) - 1)" : "\(start)"
        }
        let host = "\(port.host)"
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "\(port.transport.rawValue) \(hostText):\(span(port.hostPort)) -> "
            + span(port.containerPort)
    }
}
