import FerryAddress
import FerryPacket
import Testing

@Suite struct DHCPv6Tests {
    let lease = DHCPv6Lease(
        serverMAC: ourMAC, serverAddress: IPAddress("fe80::1")!,
        clientAddress: IPAddress("fd00::100")!, dnsServers: [IPAddress("fd00::3")!])

    /// The options of a reply as (code, value offset, length), walked from offset 4.
    func options(_ message: PacketBytes) -> [(UInt16, Int, Int)] {
        var result: [(UInt16, Int, Int)] = []
        var offset = 4
        while offset + 4 <= message.count {
            let length = Int(message.u16(offset + 2))
            result.append((message.u16(offset), offset + 4, length))
            offset += 4 + length
        }
        #expect(offset == message.count)
        return result
    }

    /// Runs `body` over the SOLICIT fixture with its message type changed to `type`.
    func solicit(
        as type: UInt8 = DHCPv6Message.solicit, rapidCommit: Bool = false,
        _ body: (IPv6Packet, DHCPv6Message) throws -> Void
    ) throws {
        var frame = try Fixture.bytes("dhcpv6-solicit")
        let dhcp = 14 + 40 + 8
        frame[dhcp] = type
        if rapidCommit {
            frame += [0, 14, 0, 0]
            frame[14 + 5] += 4  // IPv6 payload length
            frame[14 + 40 + 5] += 4  // UDP length
        }
        try frame.withUnsafeMutableBytes { raw in
            let ethernet = try #require(EthernetFrame(PacketBytes(raw)))
            let ip = try #require(IPv6Packet(ethernet.payload))
            let udp = try #require(UDPDatagram(ip.payload))
            #expect(udp.destinationPort == DHCPv6Message.serverPort)
            try body(ip, try #require(DHCPv6Message(udp.payload)))
        }
    }

    func reply(
        _ message: DHCPv6Message, _ ip: IPv6Packet, _ check: (PacketBytes) throws -> Void
    ) throws {
        try withOutput { output in
            let length = try #require(
                message.writeReply(
                    lease: lease, source: ip.source, clientMAC: guestMAC, into: output))
            let parsed = try #require(ParsedIP(output.prefix(length)!))
            #expect(parsed.destination == ip.source && parsed.source == lease.serverAddress)
            let udp = try #require(UDPDatagram(parsed.payload))
            #expect(udp.sourcePort == 547 && udp.destinationPort == 546)
            #expect(udp.checksumIsValid(source: parsed.source, destination: parsed.destination))
            try check(udp.payload)
        }
    }

    @Test func solicitFromDhclientParses() throws {
        try solicit { ip, message in
            #expect(ip.source == IPAddress("fe80::ff:fe00:a"))
            #expect(message.messageType == DHCPv6Message.solicit)
            #expect(message.transactionID == 0x8C9621)
            let duid: [UInt8] = [0, 1, 0, 1, 0x32, 0xA5, 0xA8, 0xAA, 2, 0, 0, 0, 0, 0x0A]
            #expect(message.clientID?.array == duid)
            #expect(message.identityAssociationID == 0x0000_000A)
            #expect(!message.rapidCommit && message.serverID == nil)
        }
    }

    @Test func solicitGetsAnAdvertiseWithTheAddress() throws {
        try solicit { ip, message in
            try reply(message, ip) { body in
                #expect(body.u32(0) == UInt32(DHCPv6Message.advertise) << 24 | 0x8C9621)
                let found = options(body)
                #expect(found.map(\.0) == [2, 1, 3, 23])
                let server = found[0]
                let duid: [UInt8] = [0, 3, 0, 1] + ourMAC.macAddress.bytes
                #expect(body.slice(server.1, server.2)!.array == duid)
                #expect(body.slice(found[1].1, found[1].2)!.array == message.clientID!.array)
                let iana = found[2]
                #expect(body.u32(iana.1) == 0x0A && body.u16(iana.1 + 12) == 5)
                #expect(body.ipv6(iana.1 + 16) == IPAddress("fd00::100"))
                #expect(body.ipv6(found[3].1) == IPAddress("fd00::3"))
            }
        }
    }

    @Test func rapidCommitSolicitGetsAReply() throws {
        try solicit(rapidCommit: true) { ip, message in
            #expect(message.rapidCommit)
            try reply(message, ip) { body in
                #expect(body.u8(0) == DHCPv6Message.reply)
                #expect(options(body).map(\.0) == [2, 1, 14, 3, 23])
            }
        }
    }

    @Test func requestConfirmAndInformationRequestGetReplies() throws {
        let expected: [(UInt8, [UInt16])] = [
            (DHCPv6Message.request, [2, 1, 3, 23]),
            (DHCPv6Message.confirm, [2, 1, 13, 23]),
            (DHCPv6Message.informationRequest, [2, 1, 23]),
        ]
        for (type, codes) in expected {
            try solicit(as: type) { ip, message in
                try reply(message, ip) { body in
                    #expect(body.u8(0) == DHCPv6Message.reply)
                    #expect(options(body).map(\.0) == codes)
                }
            }
        }
    }

    @Test func advertiseAndUnknownTypesAreNotParsed() throws {
        for type in [DHCPv6Message.advertise, DHCPv6Message.reply, 0, 200] {
            var frame = try Fixture.bytes("dhcpv6-solicit")
            frame[14 + 40 + 8] = type
            frame.withUnsafeMutableBytes { raw in
                #expect(DHCPv6Message(PacketBytes(raw).dropFirst(62)!) == nil)
            }
        }
    }
}
