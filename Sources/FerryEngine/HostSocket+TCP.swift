import CFerryShim
import FerryAddress
import FerryPacket

#if canImport(Glibc)
    import Glibc
#endif

/// The calls TCP connections make on their host sockets. As in `HostSocket`, failures come
/// back as -errno or an errno code, never thrown.
extension HostSocket {
    static let stream = Int32(SOCK_STREAM.rawValue)

    private static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32)
        -> Int32
    {
        var value = value
        let result = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        return result == 0 ? 0 : errno
    }

    private static func option(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, level, name, &value, &length) == 0 ? value : -errno
    }

    /// setsockopt(SO_PEEK_OFF): where the next MSG_PEEK read starts, counted from the head
    /// of the receive queue; zero on success, else errno (EOPNOTSUPP before Linux 6.9).
    static func setPeekOffset(_ fd: Int32, _ offset: Int32) -> Int32 {
        setOption(fd, SOL_SOCKET, SO_PEEK_OFF, offset)
    }

    static func setNoDelay(_ fd: Int32) {
        _ = setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Asks for the largest buffers the host allows (net.core.wmem_max and rmem_max cap
    /// the request). Left to autotuning, the send buffer grows only when writes hit its
    /// end, which a writer that never writes more than the free space never does.
    static func setLargeBuffers(_ fd: Int32) {
        _ = setOption(fd, SOL_SOCKET, SO_SNDBUF, Int32.max)
        _ = setOption(fd, SOL_SOCKET, SO_RCVBUF, Int32.max)
    }

    /// The pending error of a socket (SO_ERROR): how a non-blocking connect ended.
    static func pendingError(_ fd: Int32) -> Int32 {
        let value = option(fd, SOL_SOCKET, SO_ERROR)
        return value < 0 ? -value : value
    }

    /// Free space in the send buffer, in bytes of payload: SO_SNDBUF less what SIOCOUTQ
    /// says is queued, less an eighth of the buffer for the kernel's per-buffer overhead.
    static func sendSpace(_ fd: Int32) -> Int {
        let size = Int(option(fd, SOL_SOCKET, SO_SNDBUF))
        let queued = Int(ferry_socket_outq(fd))
        guard size > 0, queued >= 0 else { return 0 }
        return max(0, size - size / 8 - queued)
    }

    /// Bytes in the receive queue (SIOCINQ), peeked or not; zero on error.
    static func receiveQueued(_ fd: Int32) -> Int {
        max(0, Int(ferry_socket_inq(fd)))
    }

    /// Writes `bytes` on a connected stream without blocking or raising SIGPIPE; the count
    /// accepted, or -errno.
    static func write(_ fd: Int32, _ bytes: PacketBytes) -> Int {
        let sent = Glibc.send(fd, bytes.base, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
        return sent >= 0 ? sent : -Int(errno)
    }

    /// Removes `count` bytes from the head of the receive queue without copying them
    /// (MSG_TRUNC); the count removed, or -errno.
    static func discard(_ fd: Int32, _ count: Int) -> Int {
        let removed = recv(fd, nil, count, Int32(MSG_DONTWAIT | MSG_TRUNC))
        return removed >= 0 ? removed : -Int(errno)
    }

    /// Peeks into the buffers `vectors` describes; the byte count, zero at end of stream,
    /// or -errno (-EAGAIN when nothing new).
    static func peek(_ fd: Int32, _ vectors: UnsafeMutablePointer<iovec>, count: Int) -> Int {
        var message = msghdr()
        message.msg_iov = vectors
        message.msg_iovlen = count
        let received = recvmsg(fd, &message, Int32(MSG_PEEK | MSG_DONTWAIT))
        return received >= 0 ? received : -Int(errno)
    }

    /// shutdown(SHUT_WR): the peer reads end of stream after what was written.
    static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Makes the coming close(2) send a reset (SO_LINGER with a zero timeout).
    static func setResetOnClose(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(
            fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }
}
