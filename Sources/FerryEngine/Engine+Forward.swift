// Theory of operation (forwarded ports, host to container)
//
// Each forwarded host port gets a listening socket in the engine's namespace (the host's),
// bound to the rule's address, or to each family's wildcard address the container has a
// family for. Those of the command line are opened once, before the loop starts, and a
// port that cannot be bound stops the start, as with pasta; `auto` opens and closes more
// as the container's listening ports come and go (Engine+AutoForward).
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

/// One listening socket of a forwarded port; a free slot has socket -1.
struct ForwardListener {
    var socket: Int32
    var transport: EngineConfig.Forward.Transport
    /// The container's address the connections go to, and its port.
    var target: IPAddress
    var targetPort: UInt16
    /// What the socket is bound to (UDP flow sockets share it).
    var bound: IPAddress
    var port: UInt16
    /// Opened by `auto` forwarding, which closes it when the container's port goes.
    var automatic = false
}

/// Why a forwarded port could not be opened.
public struct ForwardError: Error, CustomStringConvertible {
    public var forward: EngineConfig.Forward
    public var port: UInt16
    public var code: Int32
    /// The port is the container's (`-T`, `-U`), not the host's.
    public var inContainer = false

    public var description: String {
        let side = inContainer ? " in the container" : ""
        let reason = String(cString: strerror(code))
        return "forwarding \(forward) failed: port \(port)\(side): \(reason)"
    }
}

extension Engine {
    /// Opens every forwarded port's listening sockets, once: the host's (`-t`, `-u`) here,
    /// the container's (`-T`, `-U`) through the namespace helper, then the first `auto`
    /// scan. `run` does it when nobody did before, but a caller that reports readiness
    /// calls it first so that a port in use fails the start.
    public func bindForwards() throws(ForwardError) {
        guard !forwardsBound else { return }
        forwardsBound = true
        for forward in config.forwards {
            for address in forwardAddresses(forward.address) {
                // An address of a family the container has no address in reaches nothing.
                guard (address.family == .ipv4 ? config.ipv4 : config.ipv6) != nil else {
                    continue
                }
                for port in forward.ports {
                    let code = forwardListen(
                        forward.transport, address: address, port: port,
                        targetPort: forward.target(port))
                    if code == 0 || forward.bestEffort { continue }
                    closeForwards()
                    throw ForwardError(forward: forward, port: port, code: code)
                }
            }
            Log.info("engine", "forwarding \(forward)")
        }
        do throws(ForwardError) {
            try bindNamespaceForwards()
        } catch {
            closeForwards()
            throw error
        }
        autoForwardStart()
    }

    /// The host addresses a forward listens on: its own, or each family's wildcard the
    /// container has an address in.
    func forwardAddresses(_ address: IPAddress?) -> [IPAddress] {
        if let address { return [address] }
        var addresses: [IPAddress] = []
        if config.ipv4 != nil { addresses.append(.v4(0)) }
        if config.ipv6 != nil { addresses.append(.v6(0, 0)) }
        return addresses
    }

    /// Opens one host listener for `port` on `address`, reaching the container's address of
    /// that family on `targetPort`, and watches it when the loop runs; zero, else errno.
    @discardableResult
    func forwardListen(
        _ transport: EngineConfig.Forward.Transport, address: IPAddress, port: UInt16,
        targetPort: UInt16, automatic: Bool = false
    ) -> Int32 {
        let family = address.family == .ipv4 ? config.ipv4 : config.ipv6
        guard let target = family?.address else { return EAFNOSUPPORT }
        let type = transport == .tcp ? HostSocket.stream : HostSocket.datagram
        let fd = HostSocket.listening(type: type, address: address, port: port)
        guard fd >= 0 else { return -fd }
        let listener = ForwardListener(
            socket: fd, transport: transport, target: target, targetPort: targetPort,
            bound: address, port: port, automatic: automatic)
        let index: Int
        if let free = listeners.firstIndex(where: { $0.socket < 0 }) {
            index = free
            listeners[index] = listener
        } else {
            index = listeners.count
            listeners.append(listener)
        }
        if let loop {
            let kind: EventTag.Kind = transport == .tcp ? .tcpListener : .udpListener
            do {
                try loop.add(fd, tag: EventTag(kind, index: index))
            } catch {
                forwardClose(index)
                return error.errno
            }
        }
        return 0
    }

    /// Closes one host listener and frees its slot (connections it accepted go on).
    func forwardClose(_ index: Int) {
        guard listeners[index].socket >= 0 else { return }
        _ = close(listeners[index].socket)
        listeners[index].socket = -1
    }

    /// Watches the listening sockets.
    func watchForwards(_ loop: EventLoop) throws {
        for (index, listener) in listeners.enumerated() where listener.socket >= 0 {
            let kind: EventTag.Kind = listener.transport == .tcp ? .tcpListener : .udpListener
            try loop.add(listener.socket, tag: EventTag(kind, index: index))
        }
        try watchNamespaceForwards(loop)
    }

    func closeForwards() {
        for index in listeners.indices { forwardClose(index) }
        listeners.removeAll()
        closeNamespaceForwards()
    }

    /// Connections waiting on a forwarded TCP port: each opens a connection to the container.
    func tcpAccept(_ tag: EventTag) {
        guard tag.index < listeners.count, listeners[tag.index].socket >= 0 else { return }
        let listener = listeners[tag.index]
        for _ in 0..<Self.socketBatch {
            let (fd, peer) = HostSocket.accept(listener.socket)
            if fd == -EAGAIN || fd == -EWOULDBLOCK { return }
            guard fd >= 0 else {
                return acceptFailed(listener.socket, tag: tag, code: -fd, subsystem: "tcp")
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
        guard tag.index < listeners.count, listeners[tag.index].socket >= 0 else { return }
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
        connection.events = Self.tcpWatchData
        guard tcpStart(index, connection) else { return }
        Log.debug("tcp", "[flow \(index)] forwarded from port \(key.destinationPort)")
        tcpSendSyn(index)
    }

    /// accept(2) on a listener failed with `code`. Out of descriptors or memory, the
    /// connection stays in the backlog and the listener stays readable: watched
    /// level-triggered, it would wake the loop at once, again and again. It is left
    /// unwatched until the next tick instead, when descriptors may be free.
    func acceptFailed(_ fd: Int32, tag: EventTag, code: Int32, subsystem: StaticString) {
        guard code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM else {
            return Log.debug(subsystem, "accepting failed: errno \(code)")
        }
        if !acceptsPaused {
            Log.warning(subsystem, "out of descriptors (errno \(code)): accepting again in 1 s")
        }
        loop?.modify(fd, tag: tag, events: 0)
        acceptsPaused = true
    }

    /// Watches again the TCP listeners `acceptFailed` left unwatched (all of them: watching
    /// one that was not paused changes nothing).
    func acceptsResume() {
        guard acceptsPaused, let loop else { return }
        acceptsPaused = false
        for index in listeners.indices
        where listeners[index].socket >= 0 && listeners[index].transport == .tcp {
            loop.modify(
                listeners[index].socket, tag: EventTag(.tcpListener, index: index),
                events: EventLoop.readable)
        }
        for index in loopback.listeners.indices
        where loopback.listeners[index].socket >= 0 && loopback.listeners[index].transport == .tcp {
            loop.modify(
                loopback.listeners[index].socket, tag: namespaceListenerTag(index),
                events: EventLoop.readable)
        }
    }
}
