import FerryAddress

/// A 48-bit MAC address held in an integer, so the packet path can pass it without
/// allocating (FerryAddress's `MACAddress` stores an array; convert once at start-up).
public struct EthernetAddress: Hashable, Sendable, CustomStringConvertible {
    /// The 48 bits in the low part, first octet most significant.
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    public init(_ mac: MACAddress) {
        self.init(mac.bytes.reduce(0) { $0 << 8 | UInt64($1) })
    }

    public static let broadcast = EthernetAddress(0xFFFF_FFFF_FFFF)
    public static let zero = EthernetAddress(0)

    /// The multicast address an IPv6 multicast group maps to (33:33 + low 32 bits).
    public init(ipv6Multicast low: UInt64) {
        self.init(0x3333_0000_0000 | (low & 0xFFFF_FFFF))
    }

    public var isMulticast: Bool { value >> 40 & 1 == 1 }

    public func octet(_ index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: value >> UInt64(40 - 8 * index))
    }

    public var macAddress: MACAddress {
        MACAddress(bytes: (0..<6).map { octet($0) })!
    }

    public var description: String { macAddress.description }
}
