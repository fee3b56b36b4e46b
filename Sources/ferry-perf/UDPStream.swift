#if canImport(Glibc)
    import Glibc
#endif

/// UDP at a fixed offered rate: `rate` datagrams of `size` bytes a second for `seconds`,
/// each a `D` datagram of a random session, then the server is asked how many arrived.
/// Loss is what the path dropped, the server's socket included (it asks for 4 MiB).
///
/// Datagrams are sent in bursts of whatever is due every 100 µs, so the average rate holds
/// even where one sleep is longer than the gap between two datagrams.
struct UDPStream {
    let address: SocketAddress
    let rate: Int
    let size: Int
    let seconds: Double
    /// How long in-flight datagrams get to arrive before the count is asked for.
    var settle = 0.2

    func run() throws(PerfError) -> JSONLine {
        guard rate > 0, size >= 9, size <= 65507 else {
            throw .usage("udp-stream needs a rate above 0 and a size from 9 to 65507")
        }
        let fd = try Sockets.connectUDP(address, timeout: 0.5)
        defer { close(fd) }
        let session = UInt64.random(in: 1...UInt64.max)
        var datagram = [UInt8](repeating: 0x2E, count: size)
        datagram[0] = PerfServer.countedData
        datagram.replaceSubrange(1..<9, with: PerfServer.bytes(session))

        // Send what is due, sleep a little, again, until the time is up.
        let total = Int(Double(rate) * seconds)
        let interval = 1e9 / Double(rate)
        let start = monotonicNanoseconds()
        var sent = 0
        var failures = 0
        while sent < total {
            let due = min(total, Int(Double(monotonicNanoseconds() - start) / interval) + 1)
            while sent < due {
                let result = datagram.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
                if result < 0 {
                    if errno == EINTR { continue }
                    // An ICMP error the path reflected (ECONNREFUSED): lost, not fatal.
                    failures += 1
                }
                sent += 1
            }
            sleepNanoseconds(100_000)
        }
        let elapsed = Double(monotonicNanoseconds() - start) / 1e9
        sleepNanoseconds(UInt64(settle * 1e9))

        let received = try askCount(fd, session: session)
        var line = JSONLine()
        line.add("test", "udp-stream")
        line.add("peer", address.description)
        line.add("sent", sent)
        line.add("send_errors", failures)
        line.add("received", Int(received))
        line.add("seconds", elapsed)
        line.add("offered_mbit_per_second", Double(sent * size * 8) / elapsed / 1e6)
        line.add("loss_percent", 100 * (1 - Double(received) / Double(max(sent, 1))))
        return line
    }

    /// The server's count for `session`; the query is retried, as it is UDP too.
    private func askCount(_ fd: Int32, session: UInt64) throws(PerfError) -> UInt64 {
        let query = [PerfServer.countQuery] + PerfServer.bytes(session)
        var reply = [UInt8](repeating: 0, count: 64)
        for _ in 0..<10 {
            _ = query.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard let count = try? Sockets.receive(fd, into: &reply, what: "count"),
                count >= 17, reply[0] == PerfServer.countReply,
                PerfServer.readUInt64(reply, at: 1) == session
            else { continue }
            return PerfServer.readUInt64(reply, at: 9)
        }
        throw .failed("no count from \(address.description) after 10 queries")
    }
}
