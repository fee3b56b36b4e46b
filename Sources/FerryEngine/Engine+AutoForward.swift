// Theory of operation (`auto` forwarding)
//
// With `-t auto` / `-u auto`, the container's listening ports are forwarded from the host;
// with `-T auto` / `-U auto`, the host's loopback ports from the container's loopback. Once
// a second (and once at start) the engine reads both namespaces' /proc/net files
// (ListeningPorts: the container's through descriptors the namespace helper opened there)
// and brings its own listeners in line: a port that appeared gets one, a port that went
// loses it. Connections and flows already under way are left alone.
//
// No loops: a port the engine itself listens on, on one side, is never forwarded back from
// the other. The host's listeners of `-t`/`-u` (and their `auto`) are left out of what
// `-T auto`/`-U auto` see, and the container's `-T`/`-U` listeners are on its loopback,
// which `-t auto`/`-u auto` never forward (the tap cannot reach them), and are left out by
// port as well. Ports given explicitly in the other option are left to it.
//
// As with pasta, UDP follows TCP: `-u auto` also forwards the UDP ports of the TCP ports
// the container listens on, and `-U auto` those of the host's (but the engine's own `-t`
// listeners), whatever `-t` and `-T` are. A port is forwarded for both families whichever
// family it was seen in.

import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// What `auto` keeps between scans: the /proc/net files, scratch space, and the ports it
/// forwards now, per option.
final class AutoForwards {
    /// tcp, tcp6, udp, udp6 of each namespace; -1 when not needed or not open.
    var hostFiles: [Int32] = [-1, -1, -1, -1]
    var containerFiles: [Int32] = [-1, -1, -1, -1]
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    let seenTCP = PortBitmap()
    let seenUDP = PortBitmap()
    let own = PortBitmap()
    let wanted = PortBitmap()
    /// Forwarded now, by `-t auto`, `-u auto`, `-T auto`, `-U auto`.
    let tcp = PortBitmap()
    let udp = PortBitmap()
    let tcpNamespace = PortBitmap()
    let udpNamespace = PortBitmap()

    deinit {
        for fd in hostFiles + containerFiles where fd >= 0 { _ = close(fd) }
        buffer.deallocate()
    }

    static let paths = [
        "/proc/self/net/tcp", "/proc/self/net/tcp6", "/proc/self/net/udp", "/proc/self/net/udp6",
    ]

    /// Reads the listening TCP ports into `seenTCP` and the bound UDP ports into `seenUDP`.
    func scan(_ files: [Int32], scope: ListeningPorts.Scope) {
        seenTCP.removeAll()
        seenUDP.removeAll()
        for (index, fd) in files.enumerated() where fd >= 0 {
            let isTCP = index < 2
            _ = ListeningPorts.scan(
                fd, state: isTCP ? ListeningPorts.tcpListen : ListeningPorts.udpUnconnected,
                scope: scope, into: isTCP ? seenTCP : seenUDP, buffer: buffer)
        }
    }
}

extension Engine {
    /// Opens what `auto` reads and makes the first pass; nothing when no option is `auto`.
    func autoForwardStart() {
        let options = config.autoForward
        guard options.isEnabled, autoForwards == nil else { return }
        let auto = AutoForwards()
        autoForwards = auto
        if options.tcpNamespace || options.udpNamespace {
            for (index, path) in AutoForwards.paths.enumerated() {
                auto.hostFiles[index] = open(path, O_RDONLY | O_CLOEXEC)
            }
        }
        if options.tcp || options.udp {
            guard let helper = loopback.helper else {
                Log.warning("engine", "auto: no helper in the container: its ports are not watched")
                return autoForwardScan()
            }
            for index in 0..<4 {
                let fd = helper.procfs(index < 2 ? .tcp : .udp, ipv6: index % 2 == 1)
                if fd < 0 {
                    Log.warning("engine", "auto: \(AutoForwards.paths[index]): errno \(-fd)")
                }
                auto.containerFiles[index] = fd
            }
        }
        autoForwardScan()
    }

    /// One pass: forwards the ports that appeared, stops those that went.
    func autoForwardScan() {
        guard let auto = autoForwards else { return }
        let options = config.autoForward

        // 1. The container's ports, forwarded from the host (-t auto, -u auto).
        if options.tcp || options.udp {
            auto.scan(auto.containerFiles, scope: .beyondLoopback)
            if options.tcp {
                auto.wanted.copy(from: auto.seenTCP)
                autoExclude(.tcp, into: auto)
                autoUpdate(auto.tcp, auto.wanted, .tcp, namespace: false)
            }
            if options.udp {
                auto.wanted.copy(from: auto.seenUDP)
                auto.wanted.formUnion(auto.seenTCP)
                autoExclude(.udp, into: auto)
                autoUpdate(auto.udp, auto.wanted, .udp, namespace: false)
            }
        }

        // 2. The host's loopback ports, forwarded from the container's (-T auto, -U auto).
        if options.tcpNamespace || options.udpNamespace {
            auto.scan(auto.hostFiles, scope: .onLoopback)
            if options.tcpNamespace {
                auto.wanted.copy(from: auto.seenTCP)
                autoExcludeHost(.tcp, into: auto)
                autoUpdate(auto.tcpNamespace, auto.wanted, .tcp, namespace: true)
            }
            if options.udpNamespace {
                // The host's TCP ports less the engine's own (`-t`), then its UDP ports.
                auto.wanted.copy(from: auto.seenTCP)
                autoExcludeOwnHost(.tcp, into: auto)
                auto.wanted.formUnion(auto.seenUDP)
                autoExcludeHost(.udp, into: auto)
                autoUpdate(auto.udpNamespace, auto.wanted, .udp, namespace: true)
            }
        }
    }

    /// Leaves out of `wanted` (the container's ports) the host ports forwarded explicitly
    /// and the container ports the engine listens on itself.
    private func autoExclude(_ transport: EngineConfig.Forward.Transport, into auto: AutoForwards) {
        auto.own.removeAll()
        for listener in listeners where listener.socket >= 0 && listener.transport == transport {
            if !listener.automatic { auto.own.insert(listener.port) }
        }
        for listener in loopback.listeners
        where listener.socket >= 0 && listener.transport == transport {
            auto.own.insert(listener.port)
        }
        auto.wanted.subtract(auto.own)
    }

    /// Leaves out of `wanted` (the host's ports) every host port the engine listens on,
    /// and the container ports `-T`/`-U` give explicitly.
    private func autoExcludeHost(
        _ transport: EngineConfig.Forward.Transport, into auto: AutoForwards
    ) {
        autoExcludeOwnHost(transport, into: auto)
        auto.own.removeAll()
        for listener in loopback.listeners
        where listener.socket >= 0 && listener.transport == transport && !listener.automatic {
            auto.own.insert(listener.port)
        }
        auto.wanted.subtract(auto.own)
    }

    /// Leaves out of `wanted` (the host's ports) every host port the engine listens on.
    private func autoExcludeOwnHost(
        _ transport: EngineConfig.Forward.Transport, into auto: AutoForwards
    ) {
        auto.own.removeAll()
        for listener in listeners where listener.socket >= 0 && listener.transport == transport {
            auto.own.insert(listener.port)
        }
        auto.wanted.subtract(auto.own)
    }

    /// Brings `current` (what one option forwards) to `wanted`: opens the new ports, closes
    /// the ones gone. A port that cannot be opened now is tried again at the next pass.
    private func autoUpdate(
        _ current: PortBitmap, _ wanted: PortBitmap, _ transport: EngineConfig.Forward.Transport,
        namespace: Bool
    ) {
        let name = transport == .tcp ? "tcp" : "udp"
        wanted.forEach(notIn: current) { port in
            var opened = false
            if namespace {
                for ipv6 in [false, true] {
                    let code = namespaceListen(
                        transport, ipv6: ipv6, port: port, targetPort: port, automatic: true)
                    opened = opened || code == 0
                }
            } else {
                for address in forwardAddresses(nil) {
                    let code = forwardListen(
                        transport, address: address, port: port, targetPort: port,
                        automatic: true)
                    opened = opened || code == 0
                }
            }
            guard opened else { return }
            current.insert(port)
            Log.debug(
                "engine", "auto: forwarding \(name) \(port)\(namespace ? " to the host" : "")")
        }
        current.forEach(notIn: wanted) { port in
            if namespace {
                for index in loopback.listeners.indices {
                    let listener = loopback.listeners[index]
                    if listener.automatic && listener.transport == transport
                        && listener.port == port
                    {
                        namespaceClose(index)
                    }
                }
            } else {
                for index in listeners.indices {
                    let listener = listeners[index]
                    if listener.automatic && listener.transport == transport
                        && listener.port == port
                    {
                        forwardClose(index)
                    }
                }
            }
            current.remove(port)
            Log.debug("engine", "auto: no longer forwarding \(name) \(port)")
        }
    }
}
