import FerryAddress

/// An IPv4 packet (RFC 791), parsed in place with its header checked.
///
/// Accepted: version 4, a header length of 20 to 60 bytes within the buffer, a total length
/// at least the header and at most the buffer (Ethernet padding after it is ignored), and a
/// correct header checksum. Fragments are accepted and flagged; the engine drops them.
public struct IPv4Packet {
    public static let protocolICMP: UInt8 = 1
    public static let protocolTCP: UInt8 = 6
    public static let protocolUDP: UInt8 = 17

    /// The packet trimmed to its total length.
    public let bytes: PacketBytes
    public let headerLength: Int

    public init?(_ bytes: PacketBytes) {
        guard bytes.count >= 20, bytes.u8(0) >> 4 == 4 else { return nil }
        let headerLength = Int(bytes.u8(0) & 0x0F) * 4
        let totalLength = Int(bytes.u16(2))
        guard headerLength >= 20, totalLength >= headerLength, totalLength <= bytes.count,
            let trimmed = bytes.prefix(totalLength),
            let header = bytes.prefix(headerLength), InternetChecksum.verify(header)
        else { return nil }
        self.bytes = trimmed
        self.headerLength = headerLength
    }

    public var totalLength: Int { bytes.count }
    public var identification: UInt16 { bytes.u16(4) }
    public var dontFragment: Bool { bytes.u16(6) & 0x4000 != 0 }

    /// More-fragments set or a non-zero offset: this is a piece of a larger datagram.
    public var isFragment: Bool { bytes.u16(6) & 0x3FFF != 0 }
    public var timeToLive: UInt8 { bytes.u8(8) }
    public var protocolNumber: UInt8 { bytes.u8(9) }
    public var headerChecksum: UInt16 { bytes.u16(10) }
    public var source: IPAddress { bytes.ipv4(12) }
    public var destination: IPAddress { bytes.ipv4(16) }
    public var payload: PacketBytes { bytes.dropFirst(headerLength)! }

    /// Writes a 20-byte header with its checksum for a payload of `payloadLength` bytes.
    public static func write(
        into writer: inout PacketWriter, source: IPAddress, destination: IPAddress,
        protocol number: UInt8, payloadLength: Int, timeToLive: UInt8 = 64,
        identification: UInt16 = 0
    ) {
        guard case .v4(let from) = source, case .v4(let to) = destination,
            payloadLength >= 0, payloadLength <= 65535 - 20, let start = writer.reserve(20)
        else {
            writer.fail()
            return
        }
        let header = writer.bytes
        header.setU8(start, 0x45)
        header.setU16(start + 2, UInt16(20 + payloadLength))
        header.setU16(start + 4, identification)
        header.setU16(start + 6, 0x4000)
        header.setU8(start + 8, timeToLive)
        header.setU8(start + 9, number)
        header.setU32(start + 12, from)
        header.setU32(start + 16, to)
        var sum = InternetChecksum()
        header.slice(start, 20)!.checksum(into: &sum)
        header.setU16(start + 10, sum.value)
    }
}
