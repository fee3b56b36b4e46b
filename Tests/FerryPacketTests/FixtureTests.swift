import FerryAddress
import FerryPacket
import Testing

let ourMAC = EthernetAddress(0x9A55_9A55_9A55)
let guestMAC = EthernetAddress(0x0200_0000_000A)

@Suite struct ARPAndICMPv4Tests {
    @Test func arpRequestParsesAndIsAnswered() throws {
        try Fixture.with("arp-request") { bytes in
            let frame = try #require(EthernetFrame(bytes))
            #expect(frame.etherType == EthernetFrame.typeARP)
            #expect(frame.destination == .broadcast)
            #expect(frame.source == guestMAC)
            let arp = try #require(ARPPacket(frame.payload))
            #expect(arp.operation == ARPPacket.request)
            #expect(arp.senderProtocol == IPAddress("10.0.2.100"))
            #expect(arp.targetProtocol == IPAddress("10.0.2.2"))

            let reply = withOutput { output -> [UInt8]? in
                guard let length = ARPPacket.writeReply(to: arp, ourMAC: ourMAC, into: output)
                else { return nil }
                return output.prefix(length)!.array
            }
            let expected: [UInt8] = [
                0x02, 0, 0, 0, 0, 0x0A, 0x9A, 0x55, 0x9A, 0x55, 0x9A, 0x55, 0x08, 0x06,
                0, 1, 0x08, 0, 6, 4, 0, 2,
                0x9A, 0x55, 0x9A, 0x55, 0x9A, 0x55, 10, 0, 2, 2,
                0x02, 0, 0, 0, 0, 0x0A, 10, 0, 2, 100,
            ]
            #expect(reply == expected)
        }
    }

    @Test func icmpEchoRequestIsAnsweredWithTheSameData() throws {
        try Fixture.with("icmp4-echo-request") { bytes in
            let frame = try #require(EthernetFrame(bytes))
            let ip = try #require(IPv4Packet(frame.payload))
            #expect(ip.protocolNumber == IPv4Packet.protocolICMP)
            #expect(!ip.isFragment && ip.dontFragment)
            #expect(ip.totalLength == 84)
            let echo = try #require(ICMPv4Message(ip.payload))
            #expect(echo.isEchoRequest)
            #expect(echo.identifier == 0x0A98 && echo.sequence == 0)
            #expect(echo.data.count == 56)

            try withOutput { output in
                let length = try #require(
                    ICMPv4Message.writeEchoReply(
                        to: echo, into: output, ethernetDestination: frame.source,
                        ethernetSource: ourMAC, source: ip.destination,
                        destination: ip.source))
                #expect(length == 14 + 84)
                let parsed = try #require(ParsedIP(output.prefix(length)!))
                #expect(parsed.source == IPAddress("10.0.2.2"))
                #expect(parsed.destination == IPAddress("10.0.2.100"))
                let reply = try #require(ICMPv4Message(parsed.payload))  // checksum verified
                #expect(reply.type == ICMPv4Message.echoReply)
                #expect(reply.identifier == 0x0A98)
                #expect(reply.data.array == echo.data.array)
            }
        }
    }

    @Test func udpDatagramParsesWithItsChecksum() throws {
        try Fixture.with("udp4-datagram") { bytes in
            let parsed = try #require(ParsedIP(bytes))
            #expect(parsed.protocolNumber == IPv4Packet.protocolUDP)
            let udp = try #require(UDPDatagram(parsed.payload))
            #expect(udp.sourcePort == 33506 && udp.destinationPort == 5353)
            #expect(Array(udp.payload.array) == Array("ferry".utf8))
            #expect(udp.checksumIsValid(source: parsed.source, destination: parsed.destination))
            // One flipped payload bit must fail the checksum.
            udp.payload.setU8(0, 0x67)
            #expect(!udp.checksumIsValid(source: parsed.source, destination: parsed.destination))
        }
    }

    @Test func udpBuilderRoundTripsForBothFamilies() throws {
        var payload: [UInt8] = Array("hello, ferry".utf8)
        try payload.withUnsafeMutableBytes { raw in
            let data = PacketBytes(raw)
            for (from, to) in [("10.0.2.2", "10.0.2.100"), ("fd00::2", "fd00::100")] {
                let source = try #require(IPAddress(from))
                let destination = try #require(IPAddress(to))
                try withOutput { output in
                    let length = try #require(
                        UDPDatagram.write(
                            into: output, ethernetDestination: guestMAC, ethernetSource: ourMAC,
                            source: source, sourcePort: 53, destination: destination,
                            destinationPort: 40000, payload: data))
                    let parsed = try #require(ParsedIP(output.prefix(length)!))
                    let udp = try #require(UDPDatagram(parsed.payload))
                    #expect(udp.sourcePort == 53 && udp.destinationPort == 40000)
                    #expect(udp.payload.array == data.array)
                    #expect(udp.checksum != 0)
                    #expect(udp.checksumIsValid(source: source, destination: destination))
                }
                // Too small an output buffer: nil, no trap.
                withOutput(40) { output in
                    #expect(
                        UDPDatagram.write(
                            into: output, ethernetDestination: guestMAC, ethernetSource: ourMAC,
                            source: source, sourcePort: 53, destination: destination,
                            destinationPort: 40000, payload: data) == nil)
                }
            }
        }
    }
}

@Suite struct TCPTests {
    @Test func synOptionsParse() throws {
        try Fixture.with("tcp4-syn") { bytes in
            let parsed = try #require(ParsedIP(bytes))
            let tcp = try #require(TCPSegment(parsed.payload))
            #expect(tcp.sourcePort == 40000 && tcp.destinationPort == 80)
            #expect(tcp.sequenceNumber == 0x0102_0304 && tcp.acknowledgmentNumber == 0)
            #expect(tcp.isSYN && !tcp.isACK && tcp.flags == TCPSegment.flagSYN)
            #expect(tcp.window == 64240 && tcp.headerLength == 40)
            #expect(tcp.maximumSegmentSize == 1460)
            #expect(tcp.sackPermitted)
            #expect(tcp.timestampValue == 0x1122_3344 && tcp.timestampEcho == 0)
            #expect(tcp.windowScale == 7)
            #expect(tcp.payload.count == 0)
            #expect(tcp.checksumIsValid(source: parsed.source, destination: parsed.destination))
        }
    }

    @Test func optionRunningPastTheHeaderIsRejected() throws {
        var frame = try Fixture.bytes("tcp4-syn")
        frame[14 + 20 + 20 + 1] = 40  // MSS option claims 40 bytes
        frame.withUnsafeMutableBytes { raw in
            #expect(TCPSegment(PacketBytes(raw).dropFirst(34)!) == nil)
        }
    }
}
