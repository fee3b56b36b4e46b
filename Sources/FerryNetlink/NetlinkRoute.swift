import CLibNL
import FerryAddress

/// A route as `ip route` shows or takes it.
public struct NetlinkRoute: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case unicast, blackhole, unreachable, prohibit

        var rtnType: UInt8 {
            switch self {
            case .unicast: UInt8(RTN_UNICAST)
            case .blackhole: UInt8(RTN_BLACKHOLE)
            case .unreachable: UInt8(RTN_UNREACHABLE)
            case .prohibit: UInt8(RTN_PROHIBIT)
            }
        }

        init?(rtnType: UInt8) {
            switch Int(rtnType) {
            case Int(RTN_UNICAST): self = .unicast
            case Int(RTN_BLACKHOLE): self = .blackhole
            case Int(RTN_UNREACHABLE): self = .unreachable
            case Int(RTN_PROHIBIT): self = .prohibit
            default: return nil
            }
        }
    }

    public var kind: Kind
    public var destination: IPNetwork
    public var gateway: IPAddress?
    /// The output interface's ifindex, 0 when none.
    public var outputIndex: Int32
    public var metric: UInt32
    public var table: UInt32
    /// RT_SCOPE_*: 254 host, 253 link, 0 universe.
    public var scope: UInt8

    public init(
        kind: Kind = .unicast, destination: IPNetwork, gateway: IPAddress? = nil,
        outputIndex: Int32 = 0, metric: UInt32 = 0, table: UInt32 = UInt32(RT_TABLE_MAIN.rawValue)
    ) {
        self.kind = kind
        self.destination = destination
        self.gateway = gateway
        self.outputIndex = outputIndex
        self.metric = metric
        self.table = table
        self.scope = gateway == nil && kind == .unicast ? UInt8(RT_SCOPE_LINK.rawValue) : 0
    }

    public var isDefault: Bool { destination.prefixLength == 0 }

    public var description: String {
        var text = kind == .unicast ? "\(destination.canonical)" : "\(kind) \(destination)"
        if let gateway { text += " via \(gateway)" }
        if metric != 0 { text += " metric \(metric)" }
        return text
    }
}

/// An address on an interface, as `ip addr` shows it.
public struct InterfaceAddress: Sendable, Equatable {
    public var index: Int32
    public var network: IPNetwork
}
