import FerryAddress
import FerryPacket
import Testing

/// Parses an IPv6 ICMPv6 fixture; the message init verifies the checksum.
private func icmpv6(_ bytes: PacketBytes) throws -> (EthernetFrame, IPv6Packet, ICMPv6Message) {
    let frame = try #require(EthernetFrame(bytes))
    let ip = try #require(IPv6Packet(frame.payload))
    #expect(ip.upperProtocol == IPv6Packet.protocolICMPv6)
    let message = try #require(
        ICMPv6Message(ip.payload, source: ip.source, destination: ip.destination))
    return (frame, ip, message)
}

@Suite struct IPv6Tests {
    let gatewayLinkLocal = IPAddress("fe80::1")!

    @Test func echoRequestIsAnswered() throws {
        try Fixture.with("icmp6-echo-request") { bytes in
            let (frame, ip, echo) = try icmpv6(bytes)
            #expect(echo.isEchoRequest && echo.identifier == 0x0AAB)
            #expect(ip.source == IPAddress("fd00::100"))
            try withOutput { output in
                let length = try #require(
                    ICMPv6Message.writeEchoReply(
                        to: echo, into: output, ethernetDestination: frame.source,
                        ethernetSource: ourMAC, source: ip.destination, destination: ip.source))
                let (_, replyIP, reply) = try icmpv6(output.prefix(length)!)
                #expect(reply.type == ICMPv6Message.echoReply)
                #expect(replyIP.destination == IPAddress("fd00::100"))
                #expect(reply.data.array == echo.data.array)
            }
        }
    }

    @Test func neighborSolicitationGetsAnAdvertisement() throws {
        try Fixture.with("ndp-neighbor-solicitation") { bytes in
            let (frame, ip, solicitation) = try icmpv6(bytes)
            #expect(solicitation.type == ICMPv6Message.neighborSolicitation)
            #expect(solicitation.targetAddress == IPAddress("fd00::3"))
            #expect(ip.hopLimit == 255)
            #expect(ip.destination == NeighborDiscovery.solicitedNodeGroup(IPAddress("fd00::3")!))
            #expect(solicitation.linkLayerOption(ICMPv6Message.optionSourceLinkLayer) == guestMAC)
            try withOutput { output in
                let length = try #require(
                    NeighborDiscovery.writeNeighborAdvertisement(
                        to: solicitation, from: ip, requester: frame.source, ourMAC: ourMAC,
                        into: output))
                let (replyFrame, replyIP, advert) = try icmpv6(output.prefix(length)!)
                #expect(replyFrame.destination == guestMAC)
                #expect(replyIP.hopLimit == 255)
                #expect(replyIP.source == IPAddress("fd00::3"))
                #expect(replyIP.destination == IPAddress("fd00::100"))
                #expect(advert.type == ICMPv6Message.neighborAdvertisement)
                #expect(advert.bytes.u8(4) == 0xE0)  // router, solicited, override
                #expect(advert.targetAddress == IPAddress("fd00::3"))
                #expect(advert.linkLayerOption(ICMPv6Message.optionTargetLinkLayer) == ourMAC)
            }
        }
    }

    @Test func duplicateAddressDetectionIsNotAnswered() throws {
        try Fixture.with("ndp-neighbor-solicitation-dad") { bytes in
            let (frame, ip, solicitation) = try icmpv6(bytes)
            #expect(ip.source.isUnspecified)
            withOutput { output in
                #expect(
                    NeighborDiscovery.writeNeighborAdvertisement(
                        to: solicitation, from: ip, requester: frame.source, ourMAC: ourMAC,
                        into: output) == nil)
            }
        }
    }

    @Test func routerSolicitationGetsPastasAdvertisement() throws {
        try Fixture.with("ndp-router-solicitation") { bytes in
            let (frame, ip, solicitation) = try icmpv6(bytes)
            #expect(solicitation.type == ICMPv6Message.routerSolicitation)
            #expect(solicitation.linkLayerOption(ICMPv6Message.optionSourceLinkLayer) == guestMAC)
            try withOutput { output in
                let length = try #require(
                    NeighborDiscovery.writeRouterAdvertisement(
                        prefix: IPAddress("fd00::1234")!, mtu: 65520, ourMAC: ourMAC,
                        source: gatewayLinkLocal, destination: ip.source,
                        ethernetDestination: frame.source, into: output))
                let (_, replyIP, advert) = try icmpv6(output.prefix(length)!)
                #expect(replyIP.hopLimit == 255 && replyIP.source == gatewayLinkLocal)
                let body = advert.bytes
                #expect(advert.type == ICMPv6Message.routerAdvertisement)
                #expect(body.u8(4) == 255 && body.u8(5) == 0x80 && body.u16(6) == 65535)
                // Prefix information: /64, L and A, infinite lifetimes, the masked prefix.
                #expect(body.u8(16) == 3 && body.u8(17) == 4 && body.u8(18) == 64)
                #expect(body.u8(19) == 0xC0 && body.u32(20) == .max && body.u32(24) == .max)
                #expect(body.ipv6(32) == IPAddress("fd00::"))
                // MTU, then the source link-layer address.
                #expect(body.u8(48) == 5 && body.u32(52) == 65520)
                #expect(advert.linkLayerOption(ICMPv6Message.optionSourceLinkLayer) == ourMAC)
                #expect(body.count == 64)
            }
        }
    }

    @Test func hopByHopHeaderIsSkipped() throws {
        try Fixture.with("mld-report-hop-by-hop") { bytes in
            let frame = try #require(EthernetFrame(bytes))
            let ip = try #require(IPv6Packet(frame.payload))
            #expect(ip.nextHeader == 0)
            #expect(ip.upperProtocol == IPv6Packet.protocolICMPv6 && ip.upperOffset == 48)
            let report = try #require(
                ICMPv6Message(ip.payload, source: ip.source, destination: ip.destination))
            #expect(report.type == 143)
        }
    }

    @Test func vlanTaggedFrameIsRejected() throws {
        var frame = try Fixture.bytes("icmp6-echo-request")
        frame.insert(contentsOf: [0x81, 0x00, 0x00, 0x05], at: 12)
        frame.withUnsafeMutableBytes { raw in
            #expect(EthernetFrame(PacketBytes(raw)) == nil)
        }
    }
}
