import FerryAddress

extension DHCPMessage {
    /// Answers a DISCOVER with an OFFER and a REQUEST with an ACK (or a NAK when it asks
    /// for another address), as one Ethernet frame in `output`.
    ///
    /// Returns nil for anything else, for a REQUEST meant for another server, and when the
    /// frame does not fit. Replies go to the broadcast address when the client set the
    /// broadcast flag or when sending a NAK, else to the offered address at `chaddr`.
    public func writeReply(lease: DHCPLease, into output: PacketBytes) -> Int? {
        guard case .v4 = lease.clientAddress, case .v4 = lease.serverAddress else { return nil }
        let replyType: UInt8
        switch messageType {
        case Self.discover:
            replyType = Self.offer
        case Self.request:
            if let serverIdentifier, serverIdentifier != lease.serverAddress { return nil }
            let asked = requestedAddress ?? clientAddress
            replyType = asked == lease.clientAddress ? Self.acknowledge : Self.negativeAcknowledge
        default:
            return nil
        }

        let broadcast = broadcastFlag || replyType == Self.negativeAcknowledge
        var builder = UDPDatagram.begin(
            output: output,
            ethernetDestination: broadcast ? .broadcast : clientHardwareAddress,
            ethernetSource: lease.serverMAC, source: lease.serverAddress,
            sourcePort: Self.serverPort,
            destination: broadcast ? .v4(0xFFFF_FFFF) : lease.clientAddress,
            destinationPort: Self.clientPort)
        var writer = builder.writer
        let start = writer.offset

        // The fixed part: BOOTREPLY, the client's xid, flags, relay and chaddr echoed.
        writer.u8(2)
        writer.u8(1)
        writer.u8(6)
        writer.u8(0)
        writer.u32(transactionID)
        writer.u16(0)
        writer.u16(bytes.u16(10))
        writer.address(replyType == Self.acknowledge ? clientAddress : .v4(0))
        writer.address(replyType == Self.negativeAcknowledge ? .v4(0) : lease.clientAddress)
        writer.u32(0)
        writer.address(relayAddress)
        writer.copy(bytes.slice(28, 16)!)
        writer.zeros(64 + 128)
        writer.u32(Self.magicCookie)

        writer.u8(53)
        writer.u8(1)
        writer.u8(replyType)
        writer.u8(54)
        writer.u8(4)
        writer.address(lease.serverAddress)
        if replyType != Self.negativeAcknowledge {
            writeLeaseOptions(lease, into: &writer)
        }
        writer.u8(255)

        // BOOTP's minimum of 300 bytes, which some clients still expect.
        let written = writer.offset - start
        if written < 300 { writer.zeros(300 - written) }
        builder.writer = writer
        return builder.finishUDP()
    }

    private func writeLeaseOptions(_ lease: DHCPLease, into writer: inout PacketWriter) {
        writer.u8(51)
        writer.u8(4)
        writer.u32(lease.leaseSeconds)
        writer.u8(1)
        writer.u8(4)
        writer.u32(lease.subnetMask)
        if let router = lease.router, case .v4 = router {
            writer.u8(3)
            writer.u8(4)
            writer.address(router)
        }
        var dnsCount = 0
        for server in lease.dnsServers where server.family == .ipv4 { dnsCount += 1 }
        if dnsCount > 0 {
            let shown = min(dnsCount, 63)
            writer.u8(6)
            writer.u8(UInt8(shown * 4))
            var written = 0
            for server in lease.dnsServers where server.family == .ipv4 && written < shown {
                writer.address(server)
                written += 1
            }
        }
        if let mtu = lease.mtu {
            writer.u8(26)
            writer.u8(2)
            writer.u16(mtu)
        }
    }
}
