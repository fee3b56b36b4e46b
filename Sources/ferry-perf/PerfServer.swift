import FerrySystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The far end of every probe: TCP and UDP on one port, dual-stack unless bound to one
/// address.
///
/// TCP: a connection whose first byte is `W` gets its peer's address as a line, then the
/// close; any other connection has every byte echoed until the client closes (tcp-rr,
/// tcp-crr). One thread per connection: this is a test peer, not a data path.
///
/// UDP: `D` datagrams (udp-stream's load) are counted per session; `Q` asks for a session's
/// count and gets `R`; `W` gets the peer's address; anything else is echoed.
struct PerfServer {
    static let countedData: UInt8 = 0x44  // "D"
    static let countQuery: UInt8 = 0x51  // "Q"
    static let countReply: UInt8 = 0x52  // "R"
    static let whoAmI: UInt8 = 0x57  // "W"

    let address: SocketAddress

    /// Binds both sockets, prints `{"listening":PORT}`, and serves until killed.
    func run() throws(PerfError) -> Never {
        let listener = try Sockets.open(address.family, Int32(SOCK_STREAM.rawValue))
        Sockets.setOption(listener, SOL_SOCKET, SO_REUSEADDR, 1)
        try bind(listener, address)
        if listen(listener, 128) != 0 { throw .lastError("listen") }
        let port = try Self.localPort(listener)

        // The UDP socket takes the port TCP got (port 0 asks the kernel for one).
        var udpAddress = address
        udpAddress.setPort(port)
        let datagrams = try Sockets.open(address.family, Int32(SOCK_DGRAM.rawValue))
        // Loss should be the network mode's, not this socket's: a 4 MiB buffer (the kernel
        // caps it at net.core.rmem_max).
        Sockets.setOption(datagrams, SOL_SOCKET, SO_RCVBUF, 4 << 20)
        try bind(datagrams, udpAddress)
        if address.family == AF_INET6 {
            Sockets.setOption(datagrams, Int32(IPPROTO_IPV6), IPV6_RECVPKTINFO, 1)
        }

        Thread.detachNewThread { Self.serveDatagrams(datagrams) }
        var line = JSONLine()
        line.add("listening", Int(port))
        line.print()

        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EMFILE { continue }
                throw .lastError("accept")
            }
            Thread.detachNewThread { Self.serveConnection(connection) }
        }
    }

    private func bind(_ fd: Int32, _ address: SocketAddress) throws(PerfError) {
        if address.family == AF_INET6 {
            // "::" takes IPv4 too, as the servers of the modes under test do.
            Sockets.setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0)
        }
        if address.withSockaddr({ Glibc.bind(fd, $0, $1) }) != 0 {
            throw .lastError("binding \(address.description)")
        }
    }

    static func localPort(_ fd: Int32) throws(PerfError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        if result != 0 { throw .lastError("getsockname") }
        return SocketAddress(storage: storage, length: length).port
    }

    /// Echo, or the peer's address for a `W` connection.
    static func serveConnection(_ fd: Int32) {
        defer { close(fd) }
        Sockets.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        var buffer = [UInt8](repeating: 0, count: 65536)
        var first = true
        while true {
            guard let count = try? Sockets.receive(fd, into: &buffer, what: "echo"), count > 0
            else { return }
            if first && buffer[0] == whoAmI {
                let peer = (try? SocketAddress.peer(of: fd).host) ?? "unknown"
                try? Sockets.sendAll(fd, Array((peer + "\n").utf8), what: "whoami")
                return
            }
            first = false
            do { try Sockets.sendAll(fd, Array(buffer[0..<count]), what: "echo") } catch {
                return
            }
        }
    }

    /// The UDP side, on its own thread: counts, count queries, whoami, echo.
    static func serveDatagrams(_ fd: Int32) {
        var counts: [UInt64: UInt64] = [:]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            guard let (count, peer, local) = receive(fd, into: &buffer), count > 0 else {
                continue
            }
            var reply: [UInt8]
            switch buffer[0] {
            case countedData where count >= 9:
                counts[readUInt64(buffer, at: 1), default: 0] += 1
                continue
            case countQuery where count >= 9:
                let session = readUInt64(buffer, at: 1)
                reply = [countReply] + bytes(session) + bytes(counts[session] ?? 0)
                // Sessions are short: forget the old ones now and then.
                if counts.count > 4096 { counts = counts.filter { $0.key == session } }
            case whoAmI:
                reply = Array((peer.host + "\n").utf8)
            default:
                reply = Array(buffer[0..<count])
            }
            send(fd, reply, to: peer, from: local)
        }
    }

    // A server on a host with several addresses must answer from the address it was asked
    // at, or a client's connected socket (and an engine's flow) drops the answer: the
    // destination comes with each datagram (IPV6_PKTINFO, IPv4 as mapped addresses on the
    // dual-stack socket) and goes back as the source of the reply.

    /// One datagram: its length, its sender, and the address it was sent to (nil unless
    /// the socket is IPv6).
    static func receive(_ fd: Int32, into buffer: inout [UInt8])
        -> (Int, SocketAddress, in6_addr?)?
    {
        var storage = sockaddr_storage()
        var control = [UInt8](repeating: 0, count: 128)
        var message = msghdr()
        let count = buffer.withUnsafeMutableBytes { bytes in
            control.withUnsafeMutableBytes { controlBytes in
                withUnsafeMutablePointer(to: &storage) { name in
                    var vector = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        message.msg_name = UnsafeMutableRawPointer(name)
                        message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBytes.baseAddress
                        message.msg_controllen = controlBytes.count
                        return recvmsg(fd, &message, 0)
                    }
                }
            }
        }
        guard count >= 0 else { return nil }
        let peer = SocketAddress(storage: storage, length: message.msg_namelen)
        return (count, peer, packetDestination(control, length: Int(message.msg_controllen)))
    }

    /// The IPV6_PKTINFO address among the control messages: cmsghdr is a size_t length, a
    /// level and a type, then the data, each message padded to 8 bytes.
    static func packetDestination(_ control: [UInt8], length: Int) -> in6_addr? {
        let header = MemoryLayout<Int>.size + 8
        var offset = 0
        while offset + header <= length {
            let (size, level, type) = control.withUnsafeBytes {
                (
                    $0.loadUnaligned(fromByteOffset: offset, as: Int.self),
                    $0.loadUnaligned(fromByteOffset: offset + 8, as: Int32.self),
                    $0.loadUnaligned(fromByteOffset: offset + 12, as: Int32.self)
                )
            }
            if size < header { return nil }
            if level == Int32(IPPROTO_IPV6) && type == IPV6_PKTINFO,
                offset + header + MemoryLayout<in6_addr>.size <= length
            {
                return control.withUnsafeBytes {
                    $0.loadUnaligned(fromByteOffset: offset + header, as: in6_addr.self)
                }
            }
            offset += (size + 7) & ~7
        }
        return nil
    }

    /// sendmsg with the reply's source address as IPV6_PKTINFO when there is one.
    static func send(_ fd: Int32, _ reply: [UInt8], to peer: SocketAddress, from local: in6_addr?) {
        var control = [UInt8](repeating: 0, count: 64)
        var controlLength = 0
        if let local {
            // struct in6_pktinfo (Glibc hides it): the address, then an interface index of
            // 0, meaning any.
            let header = MemoryLayout<Int>.size + 8
            let size = header + MemoryLayout<in6_addr>.size + 4
            control.withUnsafeMutableBytes { bytes in
                bytes.storeBytes(of: size, toByteOffset: 0, as: Int.self)
                bytes.storeBytes(of: Int32(IPPROTO_IPV6), toByteOffset: 8, as: Int32.self)
                bytes.storeBytes(of: IPV6_PKTINFO, toByteOffset: 12, as: Int32.self)
                bytes.storeBytes(of: local, toByteOffset: header, as: in6_addr.self)
            }
            controlLength = (size + 7) & ~7
        }
        var address = peer.storage
        var reply = reply
        reply.withUnsafeMutableBytes { bytes in
            control.withUnsafeMutableBytes { controlBytes in
                withUnsafeMutablePointer(to: &address) { name in
                    var vector = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
                    withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_name = UnsafeMutableRawPointer(name)
                        message.msg_namelen = peer.length
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlLength > 0 ? controlBytes.baseAddress : nil
                        message.msg_controllen = controlLength
                        _ = sendmsg(fd, &message, 0)
                    }
                }
            }
        }
    }

    static func readUInt64(_ buffer: [UInt8], at offset: Int) -> UInt64 {
        buffer[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }
}
