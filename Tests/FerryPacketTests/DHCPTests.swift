import FerryAddress
import FerryPacket
import Testing

@Suite struct DHCPTests {
    let lease = DHCPLease(
        serverMAC: ourMAC, serverAddress: IPAddress("10.0.2.2")!,
        clientAddress: IPAddress("10.0.2.100")!, prefixLength: 24,
        router: IPAddress("10.0.2.2")!,
        dnsServers: [IPAddress("10.0.2.3")!, IPAddress("fd00::3")!, IPAddress("10.0.2.4")!],
        leaseSeconds: 3600, mtu: 65520)

    /// Finds option `code` in a reply's options; returns (offset of value, length).
    func option(_ code: UInt8, in message: PacketBytes) -> (Int, Int)? {
        var offset = 240
        while offset + 1 < message.count, message.u8(offset) != 255 {
            if message.u8(offset) == code { return (offset + 2, Int(message.u8(offset + 1))) }
            offset += message.u8(offset) == 0 ? 1 : 2 + Int(message.u8(offset + 1))
        }
        return nil
    }

    func discover(_ body: (EthernetFrame, DHCPMessage) throws -> Void) throws {
        try Fixture.with("dhcp-discover") { bytes in
            let parsed = try #require(ParsedIP(bytes))
            let udp = try #require(UDPDatagram(parsed.payload))
            #expect(udp.destinationPort == DHCPMessage.serverPort)
            try body(parsed.frame, try #require(DHCPMessage(udp.payload)))
        }
    }

    @Test func discoverFromUdhcpcParses() throws {
        try discover { frame, message in
            #expect(message.messageType == DHCPMessage.discover)
            #expect(message.transactionID == 0x20C4_C313)
            #expect(message.clientHardwareAddress == guestMAC)
            #expect(frame.source == guestMAC)
            #expect(!message.broadcastFlag)
            #expect(message.serverIdentifier == nil)
        }
    }

    @Test func offerCarriesTheLease() throws {
        try discover { _, message in
            try withOutput { output in
                let length = try #require(message.writeReply(lease: lease, into: output))
                let parsed = try #require(ParsedIP(output.prefix(length)!))
                #expect(parsed.source == IPAddress("10.0.2.2"))
                #expect(parsed.destination == IPAddress("10.0.2.100"))
                #expect(parsed.frame.destination == guestMAC)
                let udp = try #require(UDPDatagram(parsed.payload))
                #expect(udp.sourcePort == 67 && udp.destinationPort == 68)
                #expect(udp.checksumIsValid(source: parsed.source, destination: parsed.destination))
                let reply = udp.payload
                #expect(reply.count >= 300)
                #expect(reply.u8(0) == 2 && reply.u32(4) == 0x20C4_C313)
                #expect(reply.ipv4(16) == IPAddress("10.0.2.100"))
                #expect(reply.ethernet(28) == guestMAC)
                #expect(reply.u32(236) == DHCPMessage.magicCookie)

                let type = try #require(option(53, in: reply))
                #expect(reply.u8(type.0) == DHCPMessage.offer)
                let server = try #require(option(54, in: reply))
                #expect(reply.ipv4(server.0) == IPAddress("10.0.2.2"))
                let mask = try #require(option(1, in: reply))
                #expect(reply.u32(mask.0) == 0xFFFF_FF00)
                let router = try #require(option(3, in: reply))
                #expect(reply.ipv4(router.0) == IPAddress("10.0.2.2"))
                let dns = try #require(option(6, in: reply))
                #expect(dns.1 == 8 && reply.ipv4(dns.0 + 4) == IPAddress("10.0.2.4"))
                let leaseTime = try #require(option(51, in: reply))
                #expect(reply.u32(leaseTime.0) == 3600)
                let mtu = try #require(option(26, in: reply))
                #expect(mtu.1 == 2 && reply.u16(mtu.0) == 65520)
            }
        }
    }

    /// Turns the DISCOVER into a REQUEST (option 53 is the first option udhcpc sends) with
    /// the broadcast flag and a requested address.
    @Test func requestGetsAnAckOrANak() throws {
        var frame = try Fixture.bytes("dhcp-discover")
        let dhcp = 14 + 20 + 8
        #expect(frame[dhcp + 240] == 53)
        frame[dhcp + 242] = DHCPMessage.request
        frame[dhcp + 10] = 0x80
        for (asked, expected) in [
            (IPAddress("10.0.2.100")!, DHCPMessage.acknowledge),
            (IPAddress("10.0.2.99")!, DHCPMessage.negativeAcknowledge),
        ] {
            var request = frame
            let end = request[(dhcp + 240)...].firstIndex(of: 255)!
            request.replaceSubrange(end..<end + 1, with: [50, 4] + asked.bytes + [255])
            try request.withUnsafeMutableBytes { raw in
                let message = try #require(DHCPMessage(PacketBytes(raw).dropFirst(dhcp)!))
                #expect(message.broadcastFlag && message.requestedAddress == asked)
                try withOutput { output in
                    let length = try #require(message.writeReply(lease: lease, into: output))
                    let parsed = try #require(ParsedIP(output.prefix(length)!))
                    #expect(parsed.frame.destination == .broadcast)
                    #expect(parsed.destination == IPAddress("255.255.255.255"))
                    let reply = try #require(UDPDatagram(parsed.payload)).payload
                    let type = try #require(option(53, in: reply))
                    #expect(reply.u8(type.0) == expected)
                    #expect(reply.u16(10) == 0x8000)
                }
            }
        }
    }

    @Test func requestForAnotherServerIsIgnored() throws {
        var frame = try Fixture.bytes("dhcp-discover")
        let dhcp = 14 + 20 + 8
        frame[dhcp + 242] = DHCPMessage.request
        let end = frame[(dhcp + 240)...].firstIndex(of: 255)!
        frame.replaceSubrange(end..<end + 1, with: [54, 4, 10, 0, 2, 9, 255])
        try frame.withUnsafeMutableBytes { raw in
            let message = try #require(DHCPMessage(PacketBytes(raw).dropFirst(dhcp)!))
            withOutput { output in #expect(message.writeReply(lease: lease, into: output) == nil) }
        }
    }
}
