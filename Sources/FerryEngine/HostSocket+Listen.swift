import CFerryShim
import FerryAddress
import FerryPacket

#if canImport(Glibc)
    import Glibc
#endif

/// The calls forwarded ports make: listening sockets bound to a host address and port,
/// accepting connections and receiving datagrams along with their sender. As in
/// `HostSocket`, failures come back as -errno or an errno code, never thrown.
extension HostSocket {
    /// A peer's address and port, as accept(2) or recvfrom(2) reported it.
    struct Peer {
        var address: IPAddress
        var port: UInt16
    }

    /// Binds `fd` to `address` and `port` with SO_REUSEADDR (an IPv6 socket is made
    /// IPv6-only, so that both families can listen on one port); zero, else errno.
    static func bind(_ fd: Int32, to address: IPAddress, port: UInt16) -> Int32 {
        var on: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, size)
        if address.family == .ipv6 {
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, size)
        }
        let result = withSocketAddress(address, port: port) { Glibc.bind(fd, $0, $1) }
        return result == 0 ? 0 : errno
    }

    /// A non-blocking socket of `type` bound to `address` and `port`, listening when it is
    /// a stream; the descriptor, or -errno.
    static func listening(type: Int32, address: IPAddress, port: UInt16) -> Int32 {
        let fd = open(address.family, type: type, protocol: 0)
        guard fd >= 0 else { return fd }
        var code = bind(fd, to: address, port: port)
        if code == 0, type == stream, Glibc.listen(fd, 128) != 0 { code = errno }
        guard code == 0 else {
            _ = close(fd)
            return -code
        }
        return fd
    }

    /// accept4(2), non-blocking and close-on-exec; the descriptor (or -errno) and the peer.
    static func accept(_ fd: Int32) -> (fd: Int32, peer: Peer) {
        var storage = sockaddr_in6()
        var length = UInt32(MemoryLayout<sockaddr_in6>.size)
        let accepted = ferry_accept_nonblocking(fd, &storage, &length)
        guard accepted >= 0 else { return (-errno, Peer(address: .v4(0), port: 0)) }
        return (accepted, peer(storage))
    }

    /// Receives one datagram into `buffer`; its length (or -errno, -EAGAIN when none) and
    /// its sender.
    static func receiveFrom(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer)
        -> (count: Int, peer: Peer)
    {
        var storage = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let count = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                recvfrom(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), $0, &length)
            }
        }
        guard count >= 0 else { return (-Int(errno), Peer(address: .v4(0), port: 0)) }
        return (count, peer(storage))
    }

    /// The address and port in a sockaddr_in or sockaddr_in6 (stored in the latter).
    private static func peer(_ storage: sockaddr_in6) -> Peer {
        var storage = storage
        let port = UInt16(bigEndian: storage.sin6_port)
        if storage.sin6_family == sa_family_t(AF_INET) {
            let value = withUnsafeBytes(of: &storage) {
                $0.load(
                    fromByteOffset: MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!,
                    as: UInt32.self)
            }
            return Peer(address: .v4(UInt32(bigEndian: value)), port: port)
        }
        let (high, low) = withUnsafeBytes(of: &storage.sin6_addr) {
            (
                UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
        return Peer(address: .v6(high, low), port: port)
    }
}
