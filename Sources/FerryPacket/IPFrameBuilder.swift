import FerryAddress

/// Builds an Ethernet + IPv4/IPv6 frame around a transport message written in between.
///
/// `init` writes the Ethernet header and leaves room for the IP header; the caller writes the
/// transport header and payload through `writer`; `finish` fills in the IP header and the
/// transport checksum, now that the length is known, and returns the frame length.
public struct IPFrameBuilder {
    public var writer: PacketWriter
    public let source: IPAddress
    public let destination: IPAddress
    public let protocolNumber: UInt8
    private let ipStart: Int
    /// Where the transport header starts in the output.
    public let transportStart: Int

    public init(
        output: PacketBytes, ethernetDestination: EthernetAddress,
        ethernetSource: EthernetAddress, source: IPAddress, destination: IPAddress,
        protocol number: UInt8
    ) {
        writer = PacketWriter(output)
        self.source = source
        self.destination = destination
        protocolNumber = number
        let isV4: Bool
        if case .v4 = source { isV4 = true } else { isV4 = false }
        if source.family != destination.family { writer.fail() }
        EthernetFrame.write(
            into: &writer, destination: ethernetDestination, source: ethernetSource,
            etherType: isV4 ? EthernetFrame.typeIPv4 : EthernetFrame.typeIPv6)
        ipStart = writer.offset
        writer.zeros(isV4 ? 20 : IPv6Packet.headerLength)
        transportStart = writer.offset
    }

    /// Completes the headers; nil when the frame did not fit in the output. With
    /// `partialChecksum`, a TCP or UDP checksum field gets only the pseudo-header's sum, for
    /// the kernel to complete (a virtio-net header's `needsChecksum`).
    public mutating func finish(hopLimit: UInt8 = 64, partialChecksum: Bool = false) -> Int? {
        guard !writer.failed else { return nil }
        let end = writer.offset
        let payloadLength = end - transportStart
        var header = PacketWriter(writer.bytes.dropFirst(ipStart)!)
        if case .v4 = source {
            IPv4Packet.write(
                into: &header, source: source, destination: destination,
                protocol: protocolNumber, payloadLength: payloadLength, timeToLive: hopLimit)
        } else {
            IPv6Packet.write(
                into: &header, source: source, destination: destination,
                nextHeader: protocolNumber, payloadLength: payloadLength, hopLimit: hopLimit)
        }
        guard !header.failed, let segment = writer.bytes.slice(transportStart, payloadLength)
        else { return nil }

        if partialChecksum,
            protocolNumber == IPv4Packet.protocolTCP || protocolNumber == IPv4Packet.protocolUDP
        {
            var sum = InternetChecksum()
            sum.addPseudoHeader(
                source: source, destination: destination, protocol: protocolNumber,
                length: payloadLength)
            segment.setU16(protocolNumber == IPv4Packet.protocolTCP ? 16 : 6, ~sum.value)
            return end
        }

        // The checksum field's offset in each transport header; ICMPv4 has no pseudo-header.
        switch protocolNumber {
        case IPv4Packet.protocolUDP:
            segment.setU16(6, 0)
            var sum = InternetChecksum.transport(
                source: source, destination: destination, protocol: protocolNumber,
                segment: segment)
            if sum == 0 { sum = 0xFFFF }
            segment.setU16(6, sum)
        case IPv4Packet.protocolTCP:
            segment.setU16(16, 0)
            segment.setU16(
                16,
                InternetChecksum.transport(
                    source: source, destination: destination, protocol: protocolNumber,
                    segment: segment))
        case IPv6Packet.protocolICMPv6:
            segment.setU16(2, 0)
            segment.setU16(
                2,
                InternetChecksum.transport(
                    source: source, destination: destination, protocol: protocolNumber,
                    segment: segment))
        case IPv4Packet.protocolICMP:
            segment.setU16(2, 0)
            var sum = InternetChecksum()
            segment.checksum(into: &sum)
            segment.setU16(2, sum.value)
        default:
            break
        }
        return end
    }
}
