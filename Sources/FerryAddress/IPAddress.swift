#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address, stored as its network-order bytes.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible, Comparable {
    case v4(UInt32)
    case v6(UInt64, UInt64)

    public enum Family: Sendable, Hashable {
        case ipv4, ipv6

        /// AF_INET or AF_INET6.
        public var addressFamily: Int32 { self == .ipv4 ? AF_INET : AF_INET6 }
        public var bitCount: Int { self == .ipv4 ? 32 : 128 }
    }

    /// Parses dotted-quad IPv4 or any RFC 4291 IPv6 spelling; nil for anything else.
    public init?(_ text: String) {
        if text.contains(":") {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
            self.init(bytes: withUnsafeBytes(of: raw) { Array($0) })
        } else {
            var raw = in_addr()
            // inet_pton rejects the short and octal forms that inet_aton would take.
            guard inet_pton(AF_INET, text, &raw) == 1 else { return nil }
            self = .v4(UInt32(bigEndian: raw.s_addr))
        }
    }

    /// From 4 or 16 bytes in network order.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4:
            self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case 16:
            let high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            let low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
            self = .v6(high, low)
        default:
            return nil
        }
    }

    public var family: Family {
        if case .v4 = self { return .ipv4 }
        return .ipv6
    }

    /// The address in network order.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low):
            let first = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            let second = (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
            return first + second
        }
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let raw = bytes
        raw.withUnsafeBytes { source in
            _ = inet_ntop(
                family.addressFamily, source.baseAddress, &buffer, socklen_t(buffer.count))
        }
        return String(
            decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var isUnspecified: Bool {
        switch self {
        case .v4(let value): value == 0
        case .v6(let high, let low): high == 0 && low == 0
        }
    }

    public var isMulticast: Bool {
        switch self {
        case .v4(let value): value >> 28 == 0xE
        case .v6(let high, _): high >> 56 == 0xFF
        }
    }

    public var isLoopback: Bool {
        switch self {
        case .v4(let value): value >> 24 == 127
        case .v6(let high, let low): high == 0 && low == 1
        }
    }

    public var isLinkLocal: Bool {
        switch self {
        case .v4(let value): value >> 16 == 0xA9FE
        case .v6(let high, _): high >> 54 == 0x3FA
        }
    }

    /// The address plus `offset`, wrapping inside the family's width.
    public func adding(_ offset: UInt64) -> IPAddress {
        switch self {
        case .v4(let value): return .v4(value &+ UInt32(truncatingIfNeeded: offset))
        case .v6(let high, let low):
            let (sum, carry) = low.addingReportingOverflow(offset)
            return .v6(high &+ (carry ? 1 : 0), sum)
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
