import FerryAddress

/// A UDP datagram (RFC 768), parsed in place from an IP payload.
///
/// The length field must be at least 8 and fit the IP payload; bytes after it are ignored.
/// A checksum is verified only when `verify` is given the addresses (zero means none in IPv4).
public struct UDPDatagram {
    public static let headerLength = 8

    /// The datagram trimmed to its length field.
    public let bytes: PacketBytes

    public init?(_ bytes: PacketBytes) {
        guard bytes.count >= Self.headerLength else { return nil }
        let length = Int(bytes.u16(4))
        guard length >= Self.headerLength, let trimmed = bytes.prefix(length) else { return nil }
        self.bytes = trimmed
    }

    public var sourcePort: UInt16 { bytes.u16(0) }
    public var destinationPort: UInt16 { bytes.u16(2) }
    public var length: Int { bytes.count }
    public var checksum: UInt16 { bytes.u16(6) }
    public var payload: PacketBytes { bytes.dropFirst(Self.headerLength)! }

    /// Whether the checksum is right for these addresses (an absent IPv4 checksum passes).
    public func checksumIsValid(source: IPAddress, destination: IPAddress) -> Bool {
        if checksum == 0 { return source.family == .ipv4 }
        return InternetChecksum.transport(
            source: source, destination: destination, protocol: IPv4Packet.protocolUDP,
            segment: bytes) == 0
    }

    /// Starts a UDP frame: Ethernet, IP and UDP headers; write the payload through
    /// `builder.writer`, then call `builder.finish()` (which fills length and checksum).
    public static func begin(
        output: PacketBytes, ethernetDestination: EthernetAddress,
        ethernetSource: EthernetAddress, source: IPAddress, sourcePort: UInt16,
        destination: IPAddress, destinationPort: UInt16
    ) -> IPFrameBuilder {
        var builder = IPFrameBuilder(
            output: output, ethernetDestination: ethernetDestination,
            ethernetSource: ethernetSource, source: source, destination: destination,
            protocol: IPv4Packet.protocolUDP)
        builder.writer.u16(sourcePort)
        builder.writer.u16(destinationPort)
        builder.writer.u32(0)
        return builder
    }

    /// Writes a whole datagram carrying `payload`; returns the frame length or nil.
    public static func write(
        into output: PacketBytes, ethernetDestination: EthernetAddress,
        ethernetSource: EthernetAddress, source: IPAddress, sourcePort: UInt16,
        destination: IPAddress, destinationPort: UInt16, payload: PacketBytes
    ) -> Int? {
        var builder = begin(
            output: output, ethernetDestination: ethernetDestination,
            ethernetSource: ethernetSource, source: source, sourcePort: sourcePort,
            destination: destination, destinationPort: destinationPort)
        builder.writer.copy(payload)
        return builder.finishUDP()
    }
}

extension IPFrameBuilder {
    /// Fills the UDP length field, then finishes the frame.
    public mutating func finishUDP() -> Int? {
        let length = writer.offset - transportStart
        guard length <= 65535 else { return nil }
        writer.bytes.setU16(transportStart + 4, UInt16(length))
        return finish()
    }
}
