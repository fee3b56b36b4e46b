// Theory of operation
//
// Each UDP conversation the container starts, (source, source port, destination,
// destination port), becomes a flow with its own host socket, connected to the mapped
// destination so that only that peer's replies arrive on it and the kernel tells flows
// apart. The socket is bound to the container's source port when the host allows it
// (SO_REUSEADDR lets flows from one port to several peers share it), else to any port:
// the peer then sees another port, which breaks nothing a NAT would not.
//
// A reply read from the socket becomes a frame from the destination the container used (not
// the mapped one) to the container's address and port, so translation back is implicit.
// Flows idle for `udpIdleTimeout` seconds are closed by the timer; when `udpFlowLimit` flows
// exist, the one idle longest is evicted to make room. ICMP errors for a flow's datagrams
// come back on its socket's error queue and go to the container as destination
// unreachable messages (Engine+ICMPErrors); the error a read returns for them is dropped.

import FerryAddress
import FerryPacket
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension Engine {
    /// Sends the container's datagram out through its flow, opening the flow when new.
    func udpOutbound(source: IPAddress, destination: IPAddress, _ datagram: UDPDatagram) {
        let port = datagram.destinationPort
        guard port != 0,
            let target = addressMap.outbound(destination, port: port, isUDP: true)
        else { return drop("UDP to an address not carried") }
        let key = FlowKey(
            source: source, sourcePort: datagram.sourcePort, destination: destination,
            destinationPort: port)
        let index: Int
        if let found = udpFlows.find(key) {
            index = found
            udpFlows.touch(index, now: now)
        } else {
            guard let opened = udpOpen(key, target: target) else { return }
            index = opened
        }
        let sent = HostSocket.send(udpFlows[index].socket, datagram.payload)
        if sent < 0 { Log.debug("udp", "sending failed: errno \(-sent)") }
    }

    private func udpOpen(_ key: FlowKey, target: IPAddress) -> Int? {
        if udpFlows.isFull, let oldest = udpFlows.oldestIndex {
            udpFlows.remove(oldest)
            Log.debug("udp", "flow table full: evicted the flow idle longest")
        }
        let fd = HostSocket.open(target.family, type: HostSocket.datagram, protocol: 0)
        guard fd >= 0 else {
            Log.debug("udp", "opening a socket failed: errno \(-fd)")
            return nil
        }
        HostSocket.setReceiveErrors(fd, target.family)
        if key.sourcePort != 0,
            HostSocket.bind(fd, family: target.family, port: key.sourcePort) != 0
        {
            Log.debug("udp", "source port \(key.sourcePort) taken on the host: using another")
        }
        return flowAdmit(
            fd, key: key, target: target, port: key.destinationPort, table: udpFlows,
            kind: .udpFlow, subsystem: "udp")
    }

    /// Reads replies from a flow's socket and writes them to the container; ICMP errors
    /// first, when the socket reports one.
    func udpReceive(_ tag: EventTag, _ events: UInt32) {
        guard let index = liveFlow(tag, in: udpFlows) else { return }
        if events & EventLoop.hangUp != 0 { udpRelayErrors(index) }
        let flow = udpFlows[index]
        for _ in 0..<Self.socketBatch {
            let count = HostSocket.receive(flow.socket, into: socketBuffer)
            if count == -Int(EAGAIN) { return }
            // A queued error (ECONNREFUSED) is consumed by the read; go on to the next.
            guard count >= 0 else { continue }
            udpFlows.touch(index, now: now)
            let length = UDPDatagram.write(
                into: sendBytes, ethernetDestination: containerDestination,
                ethernetSource: engineMAC, source: flow.key.destination,
                sourcePort: flow.key.destinationPort, destination: flow.key.source,
                destinationPort: flow.key.sourcePort,
                payload: PacketBytes(base: socketBuffer.baseAddress, count: count))
            tapWrite(length)
        }
    }
}
