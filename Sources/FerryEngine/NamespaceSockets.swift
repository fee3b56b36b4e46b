import CFerryShim
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// The engine's line to the helper it keeps inside the container's user and network
/// namespaces (`ferry __pasta-attach`, staying on after the tap): the engine is
/// multithreaded and in the host's namespaces, so it cannot make a socket in the
/// container's; the helper makes it there and passes it back (SCM_RIGHTS).
///
/// One request at a time, answered at once (a socket and a bind), so the engine's thread
/// waits for the answer, bounded by a receive timeout (after which the helper is given up,
/// so that a late answer is never taken for another request's). The helper dies with the
/// engine (PR_SET_PDEATHSIG), and ends by itself when this side closes the control socket;
/// `close()` kills it as well, since one that stopped answering may never read that end.
public final class NamespaceSockets {
    let control: FileDescriptor
    /// The helper's pid, reaped by `close()`.
    public let helper: pid_t
    private var reaped = false

    /// How long the engine waits for one answer.
    static let answerTimeoutSeconds = 2

    public init(control: FileDescriptor, helper: pid_t) {
        self.control = control
        self.helper = helper
        var timeout = timeval(tv_sec: Self.answerTimeoutSeconds, tv_usec: 0)
        _ = setsockopt(
            control.rawValue, SOL_SOCKET, SO_RCVTIMEO, &timeout,
            socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    /// A socket on the container's loopback (127.0.0.1 or ::1) bound to `port`, listening
    /// when it is TCP; the descriptor (non-blocking, close-on-exec) or -errno.
    func listen(_ transport: EngineConfig.Forward.Transport, ipv6: Bool, port: UInt16) -> Int32 {
        ask(kind: FERRY_NAMESPACE_LISTEN, transport, ipv6: ipv6, port: port)
    }

    /// The container's /proc/net/tcp, tcp6, udp or udp6, open for reading; or -errno.
    func procfs(_ transport: EngineConfig.Forward.Transport, ipv6: Bool) -> Int32 {
        ask(kind: FERRY_NAMESPACE_PROCFS, transport, ipv6: ipv6, port: 0)
    }

    private func ask(
        kind: ferry_namespace_kind, _ transport: EngineConfig.Forward.Transport, ipv6: Bool,
        port: UInt16
    ) -> Int32 {
        guard control.rawValue >= 0 else { return -EPIPE }
        var request = ferry_namespace_request(
            kind: kind.rawValue,
            protocol: UInt32(transport == .tcp ? IPPROTO_TCP : IPPROTO_UDP),
            family: ipv6 ? 6 : 4, port: UInt32(port))
        let sent = withUnsafeBytes(of: &request) {
            ferry_pasta_send_fd(control.rawValue, $0.baseAddress, $0.count, -1)
        }
        guard sent >= 0 else { return -errno }

        var error: Int32 = 0
        var fd: Int32 = -1
        let count = withUnsafeMutableBytes(of: &error) {
            ferry_pasta_receive_fd(control.rawValue, $0.baseAddress, $0.count, &fd)
        }
        guard count >= 0 else {
            let code = errno
            // A late answer would be taken for the next request's: no more requests.
            if code == EAGAIN || code == EWOULDBLOCK {
                Log.warning("engine", "the namespace helper did not answer: giving it up")
                control.close()
            }
            return -code
        }
        // The helper is gone (end of stream) or answered out of turn: no more requests.
        guard count == MemoryLayout<Int32>.size else {
            if fd >= 0 { _ = Glibc.close(fd) }
            Log.warning("engine", "the namespace helper is gone: no more sockets in the container")
            control.close()
            return -EPIPE
        }
        if error != 0 {
            if fd >= 0 { _ = Glibc.close(fd) }
            return -error
        }
        // The helper always sends one with a zero: the kernel dropped it (MSG_CTRUNC), as
        // it does when this process has no descriptor left to put it in.
        return fd >= 0 ? fd : -EMFILE
    }

    /// Closes the control socket, which ends a helper that still reads it, kills one that
    /// does not (stopped, or given up for a late answer: waiting for it would hang the
    /// engine's exit), and reaps it. Until reaped, the pid cannot name another process.
    public func close() {
        control.close()
        guard !reaped else { return }
        reaped = true
        _ = kill(helper, SIGKILL)
        var status: Int32 = 0
        while waitpid(helper, &status, 0) < 0 && errno == EINTR {}
    }
}
