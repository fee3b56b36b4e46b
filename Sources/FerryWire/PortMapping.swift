/// One published port range (`podman run -p`): host_port..host_port+range-1 on host_ip
/// forwards to container_port..container_port+range-1.
public struct PortMapping: Codable, Equatable, Sendable {
    /// The host address to bind; "" means every address.
    public var hostIP: String
    public var containerPort: UInt16
    public var hostPort: UInt16
    /// How many consecutive ports; 1 for a single port.
    public var range: UInt16
    /// "tcp", "udp", "sctp", or several of them separated by commas.
    public var `protocol`: String

    public init(
        hostIP: String = "", containerPort: UInt16, hostPort: UInt16, range: UInt16 = 1,
        protocol: String = "tcp"
    ) {
        self.hostIP = hostIP
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.range = range
        self.protocol = `protocol`
    }

    enum CodingKeys: String, CodingKey {
        case range, `protocol`
        case hostIP = "host_ip"
        case containerPort = "container_port"
        case hostPort = "host_port"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        hostIP = try fields.decodeIfPresent(String.self, forKey: .hostIP) ?? ""
        containerPort = UInt16(try fields.decodeInteger(.containerPort, in: 0...65535))
        hostPort = UInt16(try fields.decodeInteger(.hostPort, in: 0...65535))
        range = UInt16(try fields.decodeIntegerIfPresent(.range, in: 0...65535) ?? 1)
        self.protocol = try fields.decodeIfPresent(String.self, forKey: .protocol) ?? "tcp"
    }
}
