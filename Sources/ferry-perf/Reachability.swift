#if canImport(Glibc)
    import Glibc
#endif

/// The connectivity matrix's probes: one exchange each, an answer or a clear error.
enum Reachability {
    /// The address `PerfServer` saw this connection (TCP) or datagram (UDP) come from.
    static func whoAmI(_ address: SocketAddress, udp: Bool, timeout: Double)
        throws(PerfError) -> JSONLine
    {
        let fd =
            udp
            ? try Sockets.connectUDP(address, timeout: timeout)
            : try Sockets.connectTCP(address, timeout: timeout)
        defer { close(fd) }
        try Sockets.sendAll(fd, [PerfServer.whoAmI], what: "sending to \(address.description)")
        var reply = [UInt8](repeating: 0, count: 256)
        let count = try Sockets.receive(
            fd, into: &reply, what: "waiting for \(address.description) to answer")
        let text = String(decoding: reply[0..<count], as: UTF8.self)
        guard text.hasSuffix("\n") else {
            throw .failed("\(address.description) answered \"\(text)\", not an address")
        }
        var line = JSONLine()
        line.add("test", udp ? "whoami-udp" : "whoami-tcp")
        line.add("peer", address.description)
        line.add("seen_as", String(text.dropLast()))
        return line
    }

    /// Connects until a connection succeeds (the moment a network mode is ready), then
    /// reports the wall-clock time of that success for the caller to compare. Each attempt
    /// waits 50 ms, doubling up to 1 s: a SYN lost while the path settles would otherwise
    /// count a whole TCP retransmission timeout.
    static func probe(_ address: SocketAddress, timeout: Double) throws(PerfError) -> JSONLine {
        let start = monotonicNanoseconds()
        let deadline = start + UInt64(timeout * 1e9)
        var attempts = 0
        var lastError: PerfError?
        var attemptTimeout = 0.05
        while monotonicNanoseconds() < deadline {
            attempts += 1
            do {
                let fd = try Sockets.connectTCP(address, timeout: attemptTimeout)
                let now = wallClockSeconds()
                close(fd)
                var line = JSONLine()
                line.add("test", "probe")
                line.add("peer", address.description)
                line.add("connected_at", now, decimals: 6)
                line.add("attempts", attempts)
                return line
            } catch {
                if case .system(let failure) = error, failure.errno == ETIMEDOUT {
                    attemptTimeout = min(1, attemptTimeout * 2)
                }
                lastError = error
                sleepNanoseconds(1_000_000)
            }
        }
        throw .failed(
            "no connection to \(address.description) within \(timeout) s after \(attempts)"
                + " attempts: \(lastError.map { "\($0)" } ?? "none")")
    }
}
