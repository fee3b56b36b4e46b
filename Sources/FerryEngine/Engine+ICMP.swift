// Theory of operation
//
// Echo requests leave through unprivileged ping sockets (SOCK_DGRAM with IPPROTO_ICMP or
// IPPROTO_ICMPV6), which any user in `net.ipv4.ping_group_range` may open. The kernel owns
// the echo identifier of such a socket (it is the socket's "port") and fills in the
// checksum, so a flow is one socket per (container address, identifier, destination),
// connected to the mapped destination. A reply read from it is an ICMP message without the
// IP header; the engine rebuilds the frame with the container's identifier and the address
// it pinged. Flows idle for a minute are closed; the table holds `icmpFlowLimit` of them.
//
// When the user's group is outside ping_group_range, socket() fails with EACCES: the engine
// warns once, saying which sysctl to widen, and drops echo requests from then on.

import FerryAddress
import FerryPacket
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension Engine {
    /// Sends the echo request `message` (ICMP header and data) from the container through
    /// the flow's ping socket, opening it first when needed.
    func echoOutbound(
        source: IPAddress, destination: IPAddress, identifier: UInt16, message: PacketBytes
    ) {
        guard let target = addressMap.outbound(destination, port: 0, isUDP: false) else {
            return drop("echo request to an address not carried")
        }
        let key = FlowKey(
            source: source, sourcePort: identifier, destination: destination, destinationPort: 0)
        let index: Int
        if let found = icmpFlows.find(key) {
            index = found
            icmpFlows.touch(index, now: now)
        } else {
            guard let opened = echoOpen(key, target: target) else { return }
            index = opened
        }
        let sent = HostSocket.send(icmpFlows[index].socket, message)
        if sent < 0 { Log.debug("icmp", "sending an echo request failed: errno \(-sent)") }
    }

    private func echoOpen(_ key: FlowKey, target: IPAddress) -> Int? {
        if icmpFlows.isFull, let oldest = icmpFlows.oldestIndex { icmpFlows.remove(oldest) }
        let number =
            target.family == .ipv4 ? HostSocket.protocolICMP : HostSocket.protocolICMPv6
        let fd = HostSocket.open(target.family, type: HostSocket.datagram, protocol: number)
        if fd < 0 {
            if fd == -EACCES && !warnedAboutPing {
                warnedAboutPing = true
                let group = getegid()
                Log.warning(
                    "icmp",
                    "ping sockets are not allowed for this user (group \(group) is outside"
                        + " net.ipv4.ping_group_range): ICMP echo from the container is dropped")
            } else {
                Log.debug("icmp", "opening a ping socket failed: errno \(-fd)")
            }
            return nil
        }
        return flowAdmit(
            fd, key: key, target: target, port: 0, table: icmpFlows, kind: .icmpFlow,
            subsystem: "icmp")
    }

    /// Reads echo replies from a flow's socket and hands them to the container.
    func icmpReceive(_ tag: EventTag) {
        guard let index = liveFlow(tag, in: icmpFlows) else { return }
        let flow = icmpFlows[index]
        let isV4 = flow.key.destination.family == .ipv4
        let replyType = isV4 ? ICMPv4Message.echoReply : ICMPv6Message.echoReply
        for _ in 0..<Self.socketBatch {
            let count = HostSocket.receive(flow.socket, into: socketBuffer)
            if count == -Int(EAGAIN) { return }
            guard count >= 8 else { continue }
            let reply = PacketBytes(base: socketBuffer.baseAddress, count: count)
            guard reply.u8(0) == replyType else { continue }
            icmpFlows.touch(index, now: now)

            var builder = IPFrameBuilder(
                output: sendBytes, ethernetDestination: containerDestination,
                ethernetSource: engineMAC, source: flow.key.destination,
                destination: flow.key.source,
                protocol: isV4 ? IPv4Packet.protocolICMP : IPv6Packet.protocolICMPv6)
            builder.writer.u8(replyType)
            builder.writer.u8(0)
            builder.writer.u16(0)
            builder.writer.u16(flow.key.sourcePort)
            builder.writer.u16(reply.u16(6))
            builder.writer.copy(reply.dropFirst(8)!)
            tapWrite(builder.finish())
        }
    }
}
