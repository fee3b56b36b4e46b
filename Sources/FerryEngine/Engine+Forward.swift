// Theory of operation (forwarded ports, host to container)
//
// Each forwarded host port gets a listening socket in the engine's namespace (the host's),
// bound to the rule's address, or to each family's wildcard address the container has a
// family for. They are opened once, before the loop starts; a port that cannot be bound
// stops the start, as with pasta.
//
// TCP: an accepted connection becomes an entry of the same connection table as the
// container's own, keyed the same way (the container's address and port, then the peer as
// the container sees it), so everything after the handshake is the outbound machinery
// unchanged. Only the opening differs: the engine sends the SYN (phase `synSent`, resent by
// the timer), and the container's SYN-ACK establishes the connection (Engine+TCP).
//
// UDP: a datagram on a listening socket opens a flow keyed the same way, whose socket is
// bound to the same address and port (SO_REUSEADDR) and connected to the client: the
// kernel then delivers that client's later datagrams to the flow's socket, and the
// container's replies, found by the ordinary outbound lookup, leave from the forwarded port.
//
// The peer's address is kept as the source the container sees (AddressMap.inbound).

import FerryAddress
import FerryPacket
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// One listening socket of a forwarded port.
struct ForwardListener {
    var socket: Int32
    var transport: EngineConfig.Forward.Transport
    /// The container's address the connections go to, and its port.
    var target: IPAddress
    var targetPort: UInt16
    /// What the socket is bound to (UDP flow sockets share it).
    var bound: IPAddress
    var port: UInt16
}

/// Why a forwarded port could not be opened.
public struct ForwardError: Error, CustomStringConvertible {
    public var forward: EngineConfig.Forward
    public var port: UInt16
    public var code: Int32

    public var description: String {
        "forwarding \(forward) failed: port \(port): \(String(cString: strerror(code)))"
    }
}

extension Engine {
    /// Opens every forwarded port's listening sockets, once; `run` does it when nobody did
    /// before, but a caller that reports readiness calls it first so that a port in use
    /// fails the start.
    public func bindForwards() throws(ForwardError) {
        guard !forwardsBound else { return }
        forwardsBound = true
        for forward in config.forwards {
            var addresses: [IPAddress] = []
            if let address = forward.address {
                addresses = [address]
            } else {
                if config.ipv4 != nil { addresses.append(.v4(0)) }
                if config.ipv6 != nil { addresses.append(.v6(0, 0)) }
            }
            for address in addresses {
                let family = address.family == .ipv4 ? config.ipv4 : config.ipv6
                guard let target = family?.address else { continue }
                let type = forward.transport == .tcp ? HostSocket.stream : HostSocket.datagram
                for port in forward.ports {
                    let fd = HostSocket.listening(type: type, address: address, port: port)
                    if fd < 0, forward.bestEffort { continue }
                    guard fd >= 0 else {
                        closeForwards()
                        throw ForwardError(forward: forward, port: port, code: -fd)
                    }
                    listeners.append(
                        ForwardListener(
                            socket: fd, transport: forward.transport, target: target,
                            targetPort: forward.target(port), bound: address, port: port))
                }
            }
            Log.info("engine", "forwarding \(forward)")
        }
    }

    /// Watches the listening sockets.
    func watchForwards(_ loop: EventLoop) throws {
        for (index, listener) in listeners.enumerated() {
            let kind: EventTag.Kind = listener.transport == .tcp ? .tcpListener : .udpListener
            try loop.add(listener.socket, tag: EventTag(kind, index: index))
        }
    }

    func closeForwards() {
        for listener in listeners { _ = close(listener.socket) }
        listeners.removeAll()
    }

    /// Connections waiting on a forwarded TCP port: each opens a connection to the container.
    func tcpAccept(_ tag: EventTag) {
        guard tag.index < listeners.count else { return }
        let listener = listeners[tag.index]
        for _ in 0..<Self.socketBatch {
            let (fd, peer) = HostSocket.accept(listener.socket)
            if fd == -EAGAIN || fd == -EWOULDBLOCK { return }
            guard fd >= 0 else {
                Log.debug("tcp", "accepting failed: errno \(-fd)")
                return
            }
            guard let source = addressMap.inbound(peer.address) else {
                _ = close(fd)
                drop("forwarded connection from a peer the container cannot see")
                continue
            }
            let key = FlowKey(
                source: listener.target, sourcePort: listener.targetPort, destination: source,
                destinationPort: peer.port)
            guard !tcp.flows.isFull, tcp.flows.find(key) == nil else {
                Log.debug("tcp", "forwarded connection refused: table full or key in use")
                HostSocket.setResetOnClose(fd)
                _ = close(fd)
                continue
            }
            tcpConnectToContainer(key, socket: fd)
        }
    }

    /// A datagram on a forwarded UDP port: to the container through its flow.
    func udpForwardReceive(_ tag: EventTag) {
        guard tag.index < listeners.count else { return }
        let listener = listeners[tag.index]
        for _ in 0..<Self.socketBatch {
            let (count, peer) = HostSocket.receiveFrom(listener.socket, into: socketBuffer)
            if count == -Int(EAGAIN) { return }
            guard count >= 0 else { continue }
            guard let source = addressMap.inbound(peer.address) else {
                drop("forwarded datagram from a peer the container cannot see")
                continue
            }
            let key = FlowKey(
                source: listener.target, sourcePort: listener.targetPort, destination: source,
                destinationPort: peer.port)
            if let index = udpFlows.find(key) {
                udpFlows.touch(index, now: now)
            } else if !udpOpenInbound(key, listener: listener, peer: peer) {
                continue
            }
            let length = UDPDatagram.write(
                into: sendBytes, ethernetDestination: containerDestination,
                ethernetSource: engineMAC, source: source, sourcePort: peer.port,
                destination: listener.target, destinationPort: listener.targetPort,
                payload: PacketBytes(base: socketBuffer.baseAddress, count: count))
            tapWrite(length)
        }
    }

    /// A flow for a client of a forwarded UDP port: a socket on the forwarded port,
    /// connected to the client.
    // FIXME: with a wildcard listener the flow's socket is bound to the wildcard too, so
    // replies leave from the address the route picks, not necessarily the one the client
    // sent to (IP_PKTINFO would tell), on a host with several addresses.
    private func udpOpenInbound(
        _ key: FlowKey, listener: ForwardListener, peer: HostSocket.Peer
    ) -> Bool {
        if udpFlows.isFull, let oldest = udpFlows.oldestIndex { udpFlows.remove(oldest) }
        let fd = HostSocket.open(listener.bound.family, type: HostSocket.datagram, protocol: 0)
        guard fd >= 0 else { return false }
        let code = HostSocket.bind(fd, to: listener.bound, port: listener.port)
        guard code == 0 else {
            _ = close(fd)
            Log.debug("udp", "binding a forwarded flow's socket failed: errno \(code)")
            return false
        }
        return flowAdmit(
            fd, key: key, target: peer.address, port: peer.port, table: udpFlows,
            kind: .udpFlow, subsystem: "udp") != nil
    }

    /// An accepted connection on a forwarded port: a connection entry in phase `synSent`,
    /// and a SYN to the container.
    private func tcpConnectToContainer(_ key: FlowKey, socket fd: Int32) {
        tcpPrepareSocket(fd)
        let index = tcp.insert(key, socket: fd, now: now)
        var connection = TCPConnection()
        connection.phase = .synSent
        connection.initialSequence = UInt32.random(in: 0...UInt32.max)
        connection.sendUnacked = connection.initialSequence
        connection.sendNext = connection.initialSequence &+ 1
        connection.events = Self.tcpWatchData
        tcp[index] = connection
        let tag = EventTag(.tcpFlow, index: index, generation: tcp.flows[index].generation)
        do {
            try loop?.add(fd, tag: tag, events: connection.events)
        } catch {
            Log.debug("tcp", "\(error)")
            return tcp.remove(index)
        }
        Log.debug("tcp", "[flow \(index)] forwarded from port \(key.destinationPort)")
        tcpSendSyn(index)
    }
}
