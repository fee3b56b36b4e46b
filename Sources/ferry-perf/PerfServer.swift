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
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &length)
                    }
                }
            }
            if count <= 0 { continue }
            let peer = SocketAddress(storage: storage, length: length)
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
            _ = reply.withUnsafeBytes { payload in
                peer.withSockaddr { sendto(fd, payload.baseAddress, payload.count, 0, $0, $1) }
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
