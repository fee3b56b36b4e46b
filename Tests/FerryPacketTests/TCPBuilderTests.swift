import FerryAddress
import FerryPacket
import Testing

/// The TCP builder: headers written around a payload already in place, read back by the
/// parser, with checksums the parser accepts and a corrupted byte it rejects.
@Suite struct TCPBuilderTests {
    @Test(arguments: ["10.0.0.1 10.0.0.2", "fd00::1 fd00::2"])
    func synAckCarriesItsOptions(addresses: String) throws {
        let pair = addresses.split(separator: " ").map { IPAddress(String($0))! }
        try withOutput { output in
            let header = TCPHeaderFields(
                sourcePort: 80, destinationPort: 40000, sequenceNumber: 0xFFFF_FFF0,
                acknowledgmentNumber: 1001, flags: TCPSegment.flagSYN | TCPSegment.flagACK,
                window: 65535, maximumSegmentSize: 65480, windowScale: 8)
            let length = try #require(
                TCPSegment.write(
                    into: output, ethernetDestination: guestMAC, ethernetSource: ourMAC,
                    source: pair[0], destination: pair[1], header: header, payloadLength: 0))
            let segment = try parse(output.prefix(length)!, pair)
            #expect(segment.isSYN && segment.isACK && !segment.isFIN)
            #expect(segment.sequenceNumber == 0xFFFF_FFF0 && segment.acknowledgmentNumber == 1001)
            #expect(segment.maximumSegmentSize == 65480 && segment.windowScale == 8)
            #expect(segment.headerLength == 28 && segment.payload.count == 0)
        }
    }

    @Test(arguments: ["10.0.0.1 10.0.0.2", "fd00::1 fd00::2"])
    func dataSegmentAroundAPayloadInPlace(addresses: String) throws {
        let pair = addresses.split(separator: " ").map { IPAddress(String($0))! }
        try withOutput { output in
            let start = TCPSegment.frameHeaderLength(pair[0].family)
            let payload = Array("peeked straight into the frame.".utf8)
            for (offset, byte) in payload.enumerated() { output.setU8(start + offset, byte) }
            let header = TCPHeaderFields(
                sourcePort: 5201, destinationPort: 50000, sequenceNumber: 7,
                acknowledgmentNumber: 9, flags: TCPSegment.flagACK | TCPSegment.flagPSH,
                window: 300)
            let length = try #require(
                TCPSegment.write(
                    into: output, ethernetDestination: guestMAC, ethernetSource: ourMAC,
                    source: pair[0], destination: pair[1], header: header,
                    payloadLength: payload.count))
            #expect(length == start + payload.count)
            let segment = try parse(output.prefix(length)!, pair)
            #expect(segment.payload.array == payload)
            #expect(segment.window == 300 && segment.flags == 0x18)

            // One flipped payload bit breaks the checksum.
            output.setU8(length - 1, output.u8(length - 1) ^ 1)
            #expect(!segment.checksumIsValid(source: pair[0], destination: pair[1]))
        }
    }

    private func parse(_ bytes: PacketBytes, _ pair: [IPAddress]) throws -> TCPSegment {
        let frame = try #require(EthernetFrame(bytes))
        let payload: PacketBytes
        if pair[0].family == .ipv4 {
            let packet = try #require(IPv4Packet(frame.payload))
            #expect(packet.protocolNumber == IPv4Packet.protocolTCP)
            payload = packet.payload
        } else {
            let packet = try #require(IPv6Packet(frame.payload))
            #expect(packet.upperProtocol == IPv4Packet.protocolTCP)
            payload = packet.payload
        }
        let segment = try #require(TCPSegment(payload))
        #expect(segment.checksumIsValid(source: pair[0], destination: pair[1]))
        return segment
    }
}
