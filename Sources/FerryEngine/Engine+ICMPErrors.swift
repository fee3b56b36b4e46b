// Theory of operation (ICMP errors from the host, for UDP flows)
//
// A UDP flow's socket has IP_RECVERR or IPV6_RECVERR on, so an ICMP error the host's kernel
// receives for the flow's datagrams (port unreachable from the peer, host unreachable from
// a router) is queued on the socket's error queue with its type, its code and the payload
// of the datagram it is about, and the socket reports EPOLLERR. The engine reads the queue
// then, and sends the container a destination unreachable of the same code (ICMP type 3,
// ICMPv6 type 1) from the destination the container used, quoting the datagram as the
// container sent it: IP header, UDP header (checksum left zero) and as much payload as
// keeps the message within 576 bytes (IPv4, RFC 1812 4.3.2.3) or 1280 (IPv6, RFC 4443
// 2.4). That is enough for the container's kernel to find the socket and report
// ECONNREFUSED or EHOSTUNREACH to it. A router's address is not shown: the container sees
// every error come from its destination. Other errors (fragmentation needed, packet too
// big, time exceeded) and errors of the other family are read and dropped.

import CFerryShim
import FerryAddress
import FerryPacket

extension Engine {
    static let icmpDestinationUnreachable: UInt8 = 3
    static let icmpFragmentationNeeded: UInt8 = 4
    static let icmpv6DestinationUnreachable: UInt8 = 1

    /// Empties a UDP flow's error queue, relaying each destination unreachable.
    func udpRelayErrors(_ index: Int) {
        let flow = udpFlows[index]
        let isV4 = flow.key.source.family == .ipv4
        var error = ferry_icmp_error()
        for _ in 0..<Self.socketBatch {
            let count = Int(
                ferry_socket_error_queue(
                    flow.socket, socketBuffer.baseAddress, socketBuffer.count, &error))
            guard count >= 0 else { return }
            let unreachable =
                isV4
                ? error.origin == FERRY_SO_EE_ORIGIN_ICMP
                    && error.type == Self.icmpDestinationUnreachable
                    && error.code != Self.icmpFragmentationNeeded
                : error.origin == FERRY_SO_EE_ORIGIN_ICMP6
                    && error.type == Self.icmpv6DestinationUnreachable
            guard unreachable else { continue }
            let quoted = min(count, isV4 ? 576 - 56 : 1280 - 96)
            statistics.icmpErrorsRelayed += 1
            udpSendUnreachable(
                flow.key, code: error.code,
                quoting: PacketBytes(base: socketBuffer.baseAddress, count: quoted))
        }
    }

    /// A destination unreachable to the container about its datagram on flow `key`.
    private func udpSendUnreachable(_ key: FlowKey, code: UInt8, quoting payload: PacketBytes) {
        let isV4 = key.source.family == .ipv4
        var builder = IPFrameBuilder(
            output: sendBytes, ethernetDestination: containerDestination,
            ethernetSource: engineMAC, source: key.destination, destination: key.source,
            protocol: isV4 ? IPv4Packet.protocolICMP : IPv6Packet.protocolICMPv6)
        builder.writer.u8(
            isV4 ? Self.icmpDestinationUnreachable : Self.icmpv6DestinationUnreachable)
        builder.writer.u8(code)
        builder.writer.u16(0)
        builder.writer.u32(0)

        // The datagram as the container sent it.
        let datagramLength = 8 + payload.count
        if isV4 {
            IPv4Packet.write(
                into: &builder.writer, source: key.source, destination: key.destination,
                protocol: IPv4Packet.protocolUDP, payloadLength: datagramLength)
        } else {
            IPv6Packet.write(
                into: &builder.writer, source: key.source, destination: key.destination,
                nextHeader: IPv4Packet.protocolUDP, payloadLength: datagramLength)
        }
        builder.writer.u16(key.sourcePort)
        builder.writer.u16(key.destinationPort)
        builder.writer.u16(UInt16(datagramLength))
        builder.writer.u16(0)
        builder.writer.copy(payload)
        tapWrite(builder.finish())
    }
}
