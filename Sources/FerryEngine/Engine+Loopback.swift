// Theory of operation (forwarded ports, container to host: `-T`, `-U`)
//
// The listeners live in the container's network namespace, on its loopback (127.0.0.1 and
// ::1), and the engine cannot enter that namespace: the namespace helper makes them there
// and passes them back (NamespaceSockets). From then on they are ordinary descriptors in
// the engine's epoll set.
//
// TCP: a connection accepted on one is joined to a socket the engine connects to the
// host's loopback (same family) on the target port, and the two are spliced (SpliceTable
// has the states, Engine+Splice moves the bytes). A refused connect resets the container's
// side. Nothing goes through the tap, so these connections are not in the translated
// connection table.
//
// UDP: Engine+LoopbackUDP.

import CFerryShim
import FerryAddress
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension Engine {
    /// The helper inside the container's namespaces, for `-T`, `-U` and `auto`; set before
    /// `bindForwards()`. Without it those forwards cannot be opened.
    public var namespaceSockets: NamespaceSockets? {
        get { loopback.helper }
        set { loopback.helper = newValue }
    }

    /// Opens the `-T` and `-U` listeners of the command line through the helper.
    func bindNamespaceForwards() throws(ForwardError) {
        for forward in config.namespaceForwards {
            for ipv6 in namespaceFamilies(forward.address) {
                for port in forward.ports {
                    let code = namespaceListen(
                        forward.transport, ipv6: ipv6, port: port,
                        targetPort: forward.target(port))
                    if code == 0 || forward.bestEffort { continue }
                    // A container without IPv6 (or IPv4) has no such loopback: skipped,
                    // unless the rule named that address.
                    if forward.address == nil && (code == EADDRNOTAVAIL || code == EAFNOSUPPORT) {
                        continue
                    }
                    throw ForwardError(forward: forward, port: port, code: code, inContainer: true)
                }
            }
            Log.info("engine", "forwarding \(forward) from the container's loopback")
        }
    }

    /// The loopbacks a `-T`/`-U` rule listens on: the one it names, else both.
    func namespaceFamilies(_ address: IPAddress?) -> [Bool] {
        guard let address else { return [false, true] }
        return [address.family == .ipv6]
    }

    /// Opens one listener on the container's loopback through the helper, reaching the
    /// host's loopback on `targetPort`, and watches it when the loop runs; zero, else errno.
    @discardableResult
    func namespaceListen(
        _ transport: EngineConfig.Forward.Transport, ipv6: Bool, port: UInt16,
        targetPort: UInt16, automatic: Bool = false
    ) -> Int32 {
        guard let helper = loopback.helper else { return ENOTCONN }
        let fd = helper.listen(transport, ipv6: ipv6, port: port)
        guard fd >= 0 else { return -fd }
        let listener = NamespaceListener(
            socket: fd, transport: transport, ipv6: ipv6, port: port, targetPort: targetPort,
            automatic: automatic)
        let index: Int
        if let free = loopback.listeners.firstIndex(where: { $0.socket < 0 }) {
            index = free
            loopback.listeners[index] = listener
        } else {
            index = loopback.listeners.count
            loopback.listeners.append(listener)
        }
        if transport == .udp {
            loopback.udpListenerIndex[LoopbackForwards.udpKey(ipv6: ipv6, port: port)] = index
        }
        if let loop {
            do {
                try loop.add(fd, tag: namespaceListenerTag(index))
            } catch {
                namespaceClose(index)
                return error.errno
            }
        }
        return 0
    }

    func namespaceListenerTag(_ index: Int) -> EventTag {
        let kind: EventTag.Kind =
            loopback.listeners[index].transport == .tcp ? .namespaceListener : .namespaceUDPListener
        return EventTag(kind, index: index)
    }

    /// Closes one listener in the container and frees its slot (its connections go on).
    func namespaceClose(_ index: Int) {
        let listener = loopback.listeners[index]
        guard listener.socket >= 0 else { return }
        if listener.transport == .udp {
            loopback.udpListenerIndex[
                LoopbackForwards.udpKey(ipv6: listener.ipv6, port: listener.port)] = nil
        }
        _ = close(listener.socket)
        loopback.listeners[index].socket = -1
    }

    func watchNamespaceForwards(_ loop: EventLoop) throws {
        for index in loopback.listeners.indices where loopback.listeners[index].socket >= 0 {
            try loop.add(loopback.listeners[index].socket, tag: namespaceListenerTag(index))
        }
    }

    func closeNamespaceForwards() {
        for index in loopback.listeners.indices { namespaceClose(index) }
        loopback.listeners.removeAll()
    }

    /// Connections waiting on a `-T` listener: each is joined to a new connection on the
    /// host's loopback.
    func namespaceAccept(_ tag: EventTag) {
        guard tag.index < loopback.listeners.count, loopback.listeners[tag.index].socket >= 0
        else { return }
        let listener = loopback.listeners[tag.index]
        for _ in 0..<Self.socketBatch {
            let (fd, _) = HostSocket.accept(listener.socket)
            if fd == -EAGAIN || fd == -EWOULDBLOCK { return }
            guard fd >= 0 else {
                return acceptFailed(listener.socket, tag: tag, code: -fd, subsystem: "splice")
            }
            spliceOpen(container: fd, to: listener.loopback, port: listener.targetPort)
        }
    }
}
