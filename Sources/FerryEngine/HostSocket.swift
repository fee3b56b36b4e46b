import CFerryShim
import FerryAddress
import FerryPacket

#if canImport(Glibc)
    import Glibc
#endif

/// The host-side sockets flows use: opened non-blocking, bound, connected, and read into
/// and written from the engine's buffers. Failures come back as an errno (a negative result
/// or a non-zero code), never as a thrown error: the packet path drops and goes on.
enum HostSocket {
    /// socket(2) for `family`, non-blocking and close-on-exec; the descriptor or -errno.
    static func open(_ family: IPAddress.Family, type: Int32, protocol number: Int32) -> Int32 {
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(family.addressFamily, type | flags, number)
        return fd >= 0 ? fd : -errno
    }

    static let datagram = Int32(SOCK_DGRAM.rawValue)
    static let protocolICMP = Int32(IPPROTO_ICMP)
    static let protocolICMPv6 = Int32(IPPROTO_ICMPV6)

    /// Calls `body` with a sockaddr for `address` and `port`.
    static func withSocketAddress<T>(
        _ address: IPAddress, port: UInt16,
        _ body: (UnsafePointer<sockaddr>, socklen_t) -> T
    ) -> T {
        switch address {
        case .v4(let value):
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = port.bigEndian
            socketAddress.sin_addr.s_addr = value.bigEndian
            return withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .v6(let high, let low):
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) {
                $0.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
                $0.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            return withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    /// Binds to the family's wildcard address and `port`; zero on success, else errno.
    /// SO_REUSEADDR lets several flows from one container port share it: each socket is
    /// connected, so the kernel tells their replies apart.
    static func bind(_ fd: Int32, family: IPAddress.Family, port: UInt16) -> Int32 {
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let wildcard: IPAddress = family == .ipv4 ? .v4(0) : .v6(0, 0)
        let result = withSocketAddress(wildcard, port: port) { Glibc.bind(fd, $0, $1) }
        return result == 0 ? 0 : errno
    }

    /// connect(2); zero on success, else errno.
    static func connect(_ fd: Int32, to address: IPAddress, port: UInt16) -> Int32 {
        let result = withSocketAddress(address, port: port) { Glibc.connect(fd, $0, $1) }
        return result == 0 ? 0 : errno
    }

    /// Queues ICMP errors for the socket's datagrams on its error queue (IP_RECVERR or
    /// IPV6_RECVERR, by `family`).
    static func setReceiveErrors(_ fd: Int32, _ family: IPAddress.Family) {
        _ = ferry_socket_recverr(fd, family == .ipv6 ? 1 : 0)
    }

    /// Sends `bytes` on a connected socket; the count sent, or -errno.
    static func send(_ fd: Int32, _ bytes: PacketBytes) -> Int {
        let sent = Glibc.send(fd, bytes.base, bytes.count, Int32(MSG_DONTWAIT))
        return sent >= 0 ? sent : -Int(errno)
    }

    /// Receives one datagram into `buffer`; its length, or -errno (-EAGAIN when none).
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
        return count >= 0 ? count : -Int(errno)
    }

    /// The local port a socket is bound to (after bind or connect), or zero.
    static func localPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(fd, $0, &length)
            }
        }
        // sin_port and sin6_port sit at the same offset.
        return result == 0 ? UInt16(bigEndian: storage.sin6_port) : 0
    }
}
