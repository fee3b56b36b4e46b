import FerryAddress

extension EngineConfig {
    /// One range of ports forwarded from one side to the other. For `-t`/`-u`: a listening
    /// socket on the host for each port, whose connections or datagrams reach the
    /// container's address on the matching target port; for `-T`/`-U`, the same from the
    /// container's loopback to the host's.
    public struct Forward: Sendable, Equatable, CustomStringConvertible {
        public enum Transport: Sendable, Equatable {
            case tcp
            case udp
        }

        public var transport: Transport
        /// The host address listened on; nil listens on every address of each family the
        /// container has.
        public var address: IPAddress?
        /// The host ports.
        public var ports: ClosedRange<UInt16>
        /// The container's port for `ports.lowerBound`; the rest follow in order.
        public var targetFirst: UInt16
        /// A port that cannot be bound is skipped rather than stopping the start (the
        /// ports of a rule made of exclusions only, as with pasta).
        public var bestEffort: Bool

        public init(
            _ transport: Transport, address: IPAddress? = nil, ports: ClosedRange<UInt16>,
            targetFirst: UInt16? = nil, bestEffort: Bool = false
        ) {
            self.transport = transport
            self.address = address
            self.ports = ports
            self.targetFirst = targetFirst ?? ports.lowerBound
            self.bestEffort = bestEffort
        }

        /// The container's port for host port `port` (one of `ports`).
        public func target(_ port: UInt16) -> UInt16 {
            targetFirst &+ (port &- ports.lowerBound)
        }

        public var description: String {
            let bound = address.map { "\($0)/" } ?? ""
            let first = ports.lowerBound
            let last = ports.upperBound
            let spelled = first == last ? "\(first)" : "\(first)-\(last)"
            let target = targetFirst == first ? "" : ":\(targetFirst)"
            return "\(transport == .tcp ? "tcp" : "udp") \(bound)\(spelled)\(target)"
        }
    }

    /// Which of `-t`, `-u`, `-T`, `-U` are `auto`: the other side's listening ports are
    /// watched, and forwarded while they listen (Engine+AutoForward).
    public struct AutoForward: Sendable, Equatable {
        /// `-t auto`, `-u auto`: the container's ports, from the host.
        public var tcp: Bool
        public var udp: Bool
        /// `-T auto`, `-U auto`: the host's loopback ports, from the container's loopback.
        public var tcpNamespace: Bool
        public var udpNamespace: Bool

        public init(
            tcp: Bool = false, udp: Bool = false, tcpNamespace: Bool = false,
            udpNamespace: Bool = false
        ) {
            self.tcp = tcp
            self.udp = udp
            self.tcpNamespace = tcpNamespace
            self.udpNamespace = udpNamespace
        }

        public var isEnabled: Bool { tcp || udp || tcpNamespace || udpNamespace }
    }
}
