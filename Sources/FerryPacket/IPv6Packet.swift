import FerryAddress

/// An IPv6 packet (RFC 8200), parsed in place: the fixed header, then extension headers
/// walked conservatively to find the upper-layer protocol.
///
/// Hop-by-hop, routing and destination options headers are skipped by their length; a
/// fragment header flags the packet (the engine drops fragments); an unknown or malformed
/// chain, or more than eight extension headers, rejects the packet.
public struct IPv6Packet {
    public static let headerLength = 40
    public static let protocolICMPv6: UInt8 = 58
    public static let protocolNoNext: UInt8 = 59

    /// The packet trimmed to 40 + payload length bytes.
    public let bytes: PacketBytes

    /// The upper-layer protocol after any extension headers, and where its header starts.
    public let upperProtocol: UInt8
    public let upperOffset: Int
    public let isFragment: Bool

    public init?(_ bytes: PacketBytes) {
        guard bytes.count >= Self.headerLength, bytes.u8(0) >> 4 == 6 else { return nil }
        let total = Self.headerLength + Int(bytes.u16(4))
        guard let trimmed = bytes.prefix(total) else { return nil }

        var next = trimmed.u8(6)
        var offset = Self.headerLength
        var fragment = false
        for _ in 0..<8 {
            switch next {
            case 0, 43, 60:
                // Hop-by-hop, routing, destination options: (length + 1) * 8 bytes.
                guard trimmed.contains(offset, 8) else { return nil }
                let length = (Int(trimmed.u8(offset + 1)) + 1) * 8
                guard trimmed.contains(offset, length) else { return nil }
                next = trimmed.u8(offset)
                offset += length
            case 44:
                guard trimmed.contains(offset, 8) else { return nil }
                fragment = true
                next = trimmed.u8(offset)
                offset += 8
            case 50, 51, 135, 139, 140, 253, 254:
                // ESP, AH, mobility, HIP, shim6, experiments: not walked, not carried.
                return nil
            default:
                self.bytes = trimmed
                upperProtocol = next
                upperOffset = offset
                isFragment = fragment
                return
            }
        }
        return nil
    }

    public var trafficClass: UInt8 { UInt8(truncatingIfNeeded: bytes.u32(0) >> 20) }
    public var flowLabel: UInt32 { bytes.u32(0) & 0xF_FFFF }
    public var payloadLength: Int { Int(bytes.u16(4)) }
    public var nextHeader: UInt8 { bytes.u8(6) }
    public var hopLimit: UInt8 { bytes.u8(7) }
    public var source: IPAddress { bytes.ipv6(8) }
    public var destination: IPAddress { bytes.ipv6(24) }

    /// The upper-layer header and data.
    public var payload: PacketBytes { bytes.dropFirst(upperOffset)! }

    /// Writes a 40-byte header with no extension headers.
    public static func write(
        into writer: inout PacketWriter, source: IPAddress, destination: IPAddress,
        nextHeader: UInt8, payloadLength: Int, hopLimit: UInt8 = 64
    ) {
        guard case .v6 = source, case .v6 = destination, payloadLength >= 0,
            payloadLength <= 65535
        else {
            writer.fail()
            return
        }
        writer.u32(6 << 28)
        writer.u16(UInt16(payloadLength))
        writer.u8(nextHeader)
        writer.u8(hopLimit)
        writer.address(source)
        writer.address(destination)
    }
}
