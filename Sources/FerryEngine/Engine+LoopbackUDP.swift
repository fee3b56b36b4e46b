// Theory of operation (UDP from the container's loopback to the host's: `-U`)
//
// A datagram on a `-U` socket in the container opens a flow for its sender (client address
// and port, then the listener's address and port): a socket on the host, connected to the
// host's loopback (same family) on the target port, so the kernel hands that server's
// replies to this flow alone. A reply goes back out of the listener's socket to the
// client, which so sees it come from the address and port it wrote to. Flows idle for
// `udpIdleTimeout` seconds are closed by the timer; a full table evicts the one idle
// longest, as for the container's own UDP flows.

import FerryAddress
import FerryPacket
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension Engine {
    /// Datagrams on a `-U` socket: each goes to the host through its sender's flow.
    func namespaceUDPReceive(_ tag: EventTag) {
        guard tag.index < loopback.listeners.count, loopback.listeners[tag.index].socket >= 0
        else { return }
        let listener = loopback.listeners[tag.index]
        let flows = loopback.udpFlows
        for _ in 0..<Self.socketBatch {
            let (count, peer) = HostSocket.receiveFrom(listener.socket, into: socketBuffer)
            if count == -Int(EAGAIN) { return }
            guard count >= 0 else { continue }
            let key = FlowKey(
                source: peer.address, sourcePort: peer.port, destination: listener.loopback,
                destinationPort: listener.port)
            let index: Int
            if let found = flows.find(key) {
                index = found
                flows.touch(index, now: now)
            } else {
                if flows.isFull, let oldest = flows.oldestIndex { flows.remove(oldest) }
                let fd = HostSocket.open(
                    listener.loopback.family, type: HostSocket.datagram, protocol: 0)
                guard fd >= 0,
                    let opened = flowAdmit(
                        fd, key: key, target: listener.loopback, port: listener.targetPort,
                        table: flows, kind: .loopbackUDPFlow, subsystem: "udp")
                else { continue }
                index = opened
            }
            let sent = HostSocket.send(
                flows[index].socket, PacketBytes(base: socketBuffer.baseAddress, count: count))
            if sent < 0 { Log.debug("udp", "to the host's loopback: errno \(-sent)") }
        }
    }

    /// Replies from the host's loopback: back to the client through the listener.
    func loopbackUDPReply(_ tag: EventTag) {
        let flows = loopback.udpFlows
        guard let index = liveFlow(tag, in: flows) else { return }
        let flow = flows[index]
        let listenerKey = LoopbackForwards.udpKey(
            ipv6: flow.key.destination.family == .ipv6, port: flow.key.destinationPort)
        guard let listenerIndex = loopback.udpListenerIndex[listenerKey] else {
            // The listener went (`auto` closed it): so does the flow.
            return flows.remove(index)
        }
        let listener = loopback.listeners[listenerIndex].socket
        for _ in 0..<Self.socketBatch {
            let count = HostSocket.receive(flow.socket, into: socketBuffer)
            if count == -Int(EAGAIN) { return }
            // A queued error (ECONNREFUSED) is consumed by the read; go on to the next.
            guard count >= 0 else { continue }
            flows.touch(index, now: now)
            let sent = HostSocket.withSocketAddress(flow.key.source, port: flow.key.sourcePort) {
                sendto(listener, socketBuffer.baseAddress, count, Int32(MSG_DONTWAIT), $0, $1)
            }
            if sent < 0 { Log.debug("udp", "back to the container's loopback: errno \(errno)") }
        }
    }
}
