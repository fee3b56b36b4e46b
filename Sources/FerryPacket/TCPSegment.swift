import FerryAddress

/// A TCP segment header (RFC 9293), parsed in place; the connection logic lives elsewhere.
///
/// The data offset must be 20 to 60 bytes within the segment. Options are walked once at
/// parse time: a malformed option list (a length below 2 or past the header) rejects the
/// segment, and the known options (MSS, window scale, SACK-permitted, timestamps) are
/// recorded when their lengths are right.
public struct TCPSegment {
    public static let flagFIN: UInt8 = 0x01
    public static let flagSYN: UInt8 = 0x02
    public static let flagRST: UInt8 = 0x04
    public static let flagPSH: UInt8 = 0x08
    public static let flagACK: UInt8 = 0x10
    public static let flagURG: UInt8 = 0x20

    public let bytes: PacketBytes
    public let headerLength: Int

    public private(set) var maximumSegmentSize: UInt16? = nil
    public private(set) var windowScale: UInt8? = nil
    public private(set) var sackPermitted = false
    public private(set) var timestampValue: UInt32? = nil
    public private(set) var timestampEcho: UInt32? = nil

    public init?(_ bytes: PacketBytes) {
        guard bytes.count >= 20 else { return nil }
        let headerLength = Int(bytes.u8(12) >> 4) * 4
        guard headerLength >= 20, headerLength <= bytes.count else { return nil }
        self.bytes = bytes
        self.headerLength = headerLength

        var offset = 20
        while offset < headerLength {
            let kind = bytes.u8(offset)
            if kind == 0 { break }
            if kind == 1 {
                offset += 1
                continue
            }
            guard offset + 1 < headerLength else { return nil }
            let length = Int(bytes.u8(offset + 1))
            guard length >= 2, offset + length <= headerLength else { return nil }
            switch (kind, length) {
            case (2, 4): maximumSegmentSize = bytes.u16(offset + 2)
            case (3, 3): windowScale = min(bytes.u8(offset + 2), 14)
            case (4, 2): sackPermitted = true
            case (8, 10):
                timestampValue = bytes.u32(offset + 2)
                timestampEcho = bytes.u32(offset + 6)
            default: break
            }
            offset += length
        }
    }

    public var sourcePort: UInt16 { bytes.u16(0) }
    public var destinationPort: UInt16 { bytes.u16(2) }
    public var sequenceNumber: UInt32 { bytes.u32(4) }
    public var acknowledgmentNumber: UInt32 { bytes.u32(8) }
    public var flags: UInt8 { bytes.u8(13) & 0x3F }
    public var window: UInt16 { bytes.u16(14) }
    public var checksum: UInt16 { bytes.u16(16) }
    public var urgentPointer: UInt16 { bytes.u16(18) }
    public var payload: PacketBytes { bytes.dropFirst(headerLength)! }

    public var isSYN: Bool { flags & Self.flagSYN != 0 }
    public var isACK: Bool { flags & Self.flagACK != 0 }
    public var isFIN: Bool { flags & Self.flagFIN != 0 }
    public var isRST: Bool { flags & Self.flagRST != 0 }

    public func checksumIsValid(source: IPAddress, destination: IPAddress) -> Bool {
        InternetChecksum.transport(
            source: source, destination: destination, protocol: IPv4Packet.protocolTCP,
            segment: bytes) == 0
    }
}
