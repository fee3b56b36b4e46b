import FerryAddress

extension DHCPv6Message {
    /// The server's DUID-LL (RFC 8415 11.4): type 3, hardware type 1 (Ethernet), the MAC.
    public static let serverDUIDLength = 10

    static func writeServerDUID(_ mac: EthernetAddress, into writer: inout PacketWriter) {
        writer.u16(3)
        writer.u16(1)
        writer.ethernet(mac)
    }

    /// Whether `serverID` names this server (a REQUEST for another server is not ours).
    func isForServer(_ mac: EthernetAddress) -> Bool {
        guard let id = serverID else { return true }
        return id.count == Self.serverDUIDLength && id.u16(0) == 3 && id.u16(2) == 1
            && id.ethernet(4) == mac
    }

    /// Answers the message as one Ethernet frame in `output`, from the lease's link-local
    /// address to the client's `source` at `clientMAC`.
    ///
    /// SOLICIT gets an ADVERTISE, or a REPLY with rapid commit when the client asked for it;
    /// REQUEST, RENEW and REBIND get a REPLY with the address in IA_NA; CONFIRM a REPLY with
    /// status Success; INFORMATION-REQUEST a REPLY with only the DNS servers. Nil for a
    /// message without a client identifier (except INFORMATION-REQUEST), one naming another
    /// server, or when the frame does not fit.
    public func writeReply(
        lease: DHCPv6Lease, source: IPAddress, clientMAC: EthernetAddress,
        into output: PacketBytes
    ) -> Int? {
        guard case .v6 = lease.clientAddress, case .v6 = source, isForServer(lease.serverMAC)
        else { return nil }
        if clientID == nil && messageType != Self.informationRequest { return nil }
        let replyType =
            messageType == Self.solicit && !rapidCommit ? Self.advertise : Self.reply

        var builder = UDPDatagram.begin(
            output: output, ethernetDestination: clientMAC, ethernetSource: lease.serverMAC,
            source: lease.serverAddress, sourcePort: Self.serverPort, destination: source,
            destinationPort: Self.clientPort)
        var writer = builder.writer
        writer.u32(UInt32(replyType) << 24 | transactionID)

        writer.u16(Self.optionServerID)
        writer.u16(UInt16(Self.serverDUIDLength))
        Self.writeServerDUID(lease.serverMAC, into: &writer)
        if let clientID {
            writer.u16(Self.optionClientID)
            writer.u16(UInt16(clientID.count))
            writer.copy(clientID)
        }
        if messageType == Self.solicit && rapidCommit {
            writer.u16(Self.optionRapidCommit)
            writer.u16(0)
        }

        switch messageType {
        case Self.confirm:
            writer.u16(Self.optionStatusCode)
            writer.u16(2)
            writer.u16(0)
        case Self.informationRequest:
            break
        default:
            writeAddressAssociation(lease, into: &writer)
        }
        writeDNSServers(lease, into: &writer)
        builder.writer = writer
        return builder.finishUDP()
    }

    private func writeAddressAssociation(_ lease: DHCPv6Lease, into writer: inout PacketWriter) {
        guard let iaid = identityAssociationID else { return }
        writer.u16(Self.optionIANA)
        writer.u16(12 + 4 + 24)
        writer.u32(iaid)
        writer.u32(.max)  // T1: never renew, the lease is infinite
        writer.u32(.max)  // T2
        writer.u16(Self.optionIAAddress)
        writer.u16(24)
        writer.address(lease.clientAddress)
        writer.u32(lease.preferredLifetime)
        writer.u32(lease.validLifetime)
    }

    private func writeDNSServers(_ lease: DHCPv6Lease, into writer: inout PacketWriter) {
        var count = 0
        for server in lease.dnsServers where server.family == .ipv6 { count += 1 }
        guard count > 0 else { return }
        writer.u16(Self.optionDNSServers)
        writer.u16(UInt16(min(count, 64) * 16))
        var written = 0
        for server in lease.dnsServers where server.family == .ipv6 && written < 64 {
            writer.address(server)
            written += 1
        }
    }
}
