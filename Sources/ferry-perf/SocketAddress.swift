import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// A numeric IPv4 or IPv6 address with a port, as the kernel takes it. Names are never
/// looked up: the probes must not ask this machine's resolver anything.
struct SocketAddress {
    private(set) var storage = sockaddr_storage()
    let length: socklen_t
    var family: Int32 { Int32(storage.ss_family) }

    /// "192.0.2.1", "2001:db8::1" or "[2001:db8::1]", and a port.
    init(_ host: String, port: UInt16) throws(PerfError) {
        var text = host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var ipv4 = sockaddr_in()
        var ipv6 = sockaddr_in6()
        if inet_pton(AF_INET, text, &ipv4.sin_addr) == 1 {
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: ipv4) { target.copyMemory(from: $0) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else if inet_pton(AF_INET6, text, &ipv6.sin6_addr) == 1 {
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: ipv6) { target.copyMemory(from: $0) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            throw .usage("\"\(host)\" is not a numeric IPv4 or IPv6 address")
        }
    }

    /// What the kernel filled in (recvfrom, accept, getpeername).
    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// The address of a socket's peer.
    static func peer(of fd: Int32) throws(PerfError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getpeername(fd, $0, &length)
            }
        }
        if result != 0 { throw .lastError("getpeername") }
        return SocketAddress(storage: storage, length: length)
    }

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafePointer(to: storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// The address alone, IPv4-mapped IPv6 addresses as plain IPv4 ("198.51.100.2").
    var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var copy = storage
        if family == AF_INET {
            withUnsafePointer(to: &copy) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var raw = address.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
                }
            }
        } else {
            withUnsafePointer(to: &copy) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
                }
            }
        }
        let text = String(
            decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
            as: UTF8.self)
        return text.hasPrefix("::ffff:") && text.contains(".") ? String(text.dropFirst(7)) : text
    }

    /// "192.0.2.1:80" or "[2001:db8::1]:80".
    var description: String { (family == AF_INET6 ? "[\(host)]" : host) + ":\(port)" }

    /// The port, in host order (both families keep it at the same offset).
    var port: UInt16 {
        withUnsafeBytes(of: storage) {
            UInt16(bigEndian: $0.load(fromByteOffset: 2, as: UInt16.self))
        }
    }

    mutating func setPort(_ port: UInt16) {
        withUnsafeMutableBytes(of: &storage) {
            $0.storeBytes(of: port.bigEndian, toByteOffset: 2, as: UInt16.self)
        }
    }
}

/// Socket calls shared by the probes.
enum Sockets {
    static func open(_ family: Int32, _ type: Int32, _ proto: Int32 = 0) throws(PerfError)
        -> Int32
    {
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), proto)
        if fd < 0 { throw .lastError("socket") }
        return fd
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// SO_RCVTIMEO and SO_SNDTIMEO: a blocked call fails with EAGAIN after `seconds`.
    static func setTimeouts(_ fd: Int32, seconds: Double) {
        var value = timeval(
            tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
        let size = socklen_t(MemoryLayout<timeval>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    /// A TCP connection to `address` with TCP_NODELAY; connect gives up after `timeout`.
    static func connectTCP(_ address: SocketAddress, timeout: Double) throws(PerfError) -> Int32 {
        let fd = try open(address.family, Int32(SOCK_STREAM.rawValue))
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        setTimeouts(fd, seconds: timeout)
        let result = address.withSockaddr { connect(fd, $0, $1) }
        if result != 0 {
            let code = errno
            close(fd)
            let reason = code == EINPROGRESS || code == EAGAIN ? ETIMEDOUT : code
            throw .system(SystemError("connecting to \(address.description)", errno: reason))
        }
        return fd
    }

    /// A UDP socket connected to `address`, its calls timing out after `timeout`.
    static func connectUDP(_ address: SocketAddress, timeout: Double) throws(PerfError) -> Int32 {
        let fd = try open(address.family, Int32(SOCK_DGRAM.rawValue))
        setTimeouts(fd, seconds: timeout)
        if address.withSockaddr({ connect(fd, $0, $1) }) != 0 {
            let error = PerfError.lastError("connecting UDP to \(address.description)")
            close(fd)
            throw error
        }
        return fd
    }

    /// Sends all of `bytes`, retrying after EINTR.
    static func sendAll(_ fd: Int32, _ bytes: [UInt8], what: String) throws(PerfError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            if sent < 0 {
                if errno == EINTR { continue }
                throw .lastError(what)
            }
            offset += sent
        }
    }

    /// recv(2) retried after EINTR; EAGAIN (the socket's timeout) is an error.
    static func receive(_ fd: Int32, into buffer: inout [UInt8], what: String) throws(PerfError)
        -> Int
    {
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return count }
            let code = errno
            if code == EINTR { continue }
            let reason = code == EAGAIN ? ETIMEDOUT : code
            throw .system(SystemError(what, errno: reason))
        }
    }
}
