import FerryAddress

/// The RFC 1071 ones'-complement sum, accumulated in pieces.
///
/// Pieces may have odd lengths: an odd byte left over is carried into the next piece, so a
/// pseudo-header, a header and a payload can be added one after another.
public struct InternetChecksum {
    private var sum: UInt64 = 0
    private var pendingHigh: UInt8? = nil

    public init() {}

    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        if let high = pendingHigh, bytes.count > 0 {
            sum &+= UInt64(high) << 8 | UInt64(bytes[0])
            pendingHigh = nil
            index = 1
        }
        while index + 1 < bytes.count {
            sum &+= UInt64(bytes[index]) << 8 | UInt64(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { pendingHigh = bytes[index] }
    }

    public mutating func add(_ value: UInt16) {
        precondition(pendingHigh == nil, "16-bit add after an odd-length piece")
        sum &+= UInt64(value)
    }

    public mutating func add(_ value: UInt32) {
        add(UInt16(truncatingIfNeeded: value >> 16))
        add(UInt16(truncatingIfNeeded: value))
    }

    public mutating func add(_ value: UInt64) {
        add(UInt32(truncatingIfNeeded: value >> 32))
        add(UInt32(truncatingIfNeeded: value))
    }

    public mutating func add(_ address: IPAddress) {
        switch address {
        case .v4(let value): add(value)
        case .v6(let high, let low):
            add(high)
            add(low)
        }
    }

    /// Adds the TCP/UDP/ICMPv6 pseudo-header of RFC 793/768 (IPv4) or RFC 8200 (IPv6).
    public mutating func addPseudoHeader(
        source: IPAddress, destination: IPAddress, protocol number: UInt8, length: Int
    ) {
        add(source)
        add(destination)
        if case .v4 = source {
            add(UInt16(number))
            add(UInt16(truncatingIfNeeded: length))
        } else {
            add(UInt32(truncatingIfNeeded: length))
            add(UInt16(number))
        }
    }

    /// The folded, complemented 16-bit result to store in a header.
    public var value: UInt16 {
        var total = sum
        if let high = pendingHigh { total &+= UInt64(high) << 8 }
        while total >> 16 != 0 { total = (total & 0xFFFF) + (total >> 16) }
        return ~UInt16(truncatingIfNeeded: total)
    }

    /// The checksum of a header that carries its own checksum field (IPv4): zero when the
    /// stored value is right.
    public static func verify(_ bytes: PacketBytes) -> Bool {
        var sum = InternetChecksum()
        bytes.checksum(into: &sum)
        return sum.value == 0
    }

    /// RFC 1624 update of a stored checksum when one 16-bit word changes from `old` to `new`.
    public static func adjust(_ checksum: UInt16, old: UInt16, new: UInt16) -> UInt16 {
        var total = UInt32(~checksum) + UInt32(~old) + UInt32(new)
        while total >> 16 != 0 { total = (total & 0xFFFF) + (total >> 16) }
        return ~UInt16(truncatingIfNeeded: total)
    }

    /// The transport checksum (UDP, TCP, ICMPv6) of `segment` under a pseudo-header.
    public static func transport(
        source: IPAddress, destination: IPAddress, protocol number: UInt8, segment: PacketBytes
    ) -> UInt16 {
        var sum = InternetChecksum()
        sum.addPseudoHeader(
            source: source, destination: destination, protocol: number, length: segment.count)
        segment.checksum(into: &sum)
        return sum.value
    }
}
