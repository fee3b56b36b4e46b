import FerryPacket

extension Engine {
    /// DHCPv4: a DISCOVER gets an OFFER and a REQUEST an ACK with the container's address,
    /// its mask, the gateway as router, the MTU and the advertised DNS servers.
    func dhcpReceive(_ datagram: UDPDatagram, frame: EthernetFrame) {
        guard let lease = dhcpLease, let message = DHCPMessage(datagram.payload) else {
            return drop("DHCP message not answered")
        }
        tapWrite(message.writeReply(lease: lease, into: sendBytes))
    }

    /// DHCPv6: the container's address in IA_NA, from the engine's link-local address.
    func dhcpv6Receive(_ datagram: UDPDatagram, packet: IPv6Packet, frame: EthernetFrame) {
        guard let lease = dhcpv6Lease, let message = DHCPv6Message(datagram.payload) else {
            return drop("DHCPv6 message not answered")
        }
        tapWrite(
            message.writeReply(
                lease: lease, source: packet.source, clientMAC: frame.source, into: sendBytes))
    }
}
