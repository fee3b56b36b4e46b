#if canImport(Glibc)
    import Glibc
#endif

/// netperf-style request/response runs, 1 byte each way, against `PerfServer`'s echo:
///
///     tcp-rr    one connection, then request, response, request, ... until the time is up
///     tcp-crr   connect, request, response, close, again, ... (a fresh connection each)
///
/// Each transaction is timed on CLOCK_MONOTONIC; the answer is the rate and the 50th and
/// 99th percentile latencies.
struct Transactions {
    let address: SocketAddress
    let seconds: Double
    /// tcp-crr stops here too: every closed connection holds a port in TIME_WAIT for a
    /// minute, and the ephemeral range has about 28,000.
    var limit = 15_000

    func requestResponse() throws(PerfError) -> Latencies {
        let fd = try Sockets.connectTCP(address, timeout: 5)
        defer { close(fd) }
        var latencies = Latencies()
        let deadline = monotonicNanoseconds() + UInt64(seconds * 1e9)
        while true {
            let start = monotonicNanoseconds()
            if start >= deadline { break }
            try exchange(fd)
            latencies.add(monotonicNanoseconds() - start)
        }
        latencies.elapsed = seconds
        return latencies
    }

    func connectRequestResponse() throws(PerfError) -> Latencies {
        var latencies = Latencies()
        let begin = monotonicNanoseconds()
        let deadline = begin + UInt64(seconds * 1e9)
        while latencies.count < limit {
            let start = monotonicNanoseconds()
            if start >= deadline { break }
            let fd = try Sockets.connectTCP(address, timeout: 5)
            defer { close(fd) }
            try exchange(fd)
            close(fd)
            latencies.add(monotonicNanoseconds() - start)
        }
        latencies.elapsed = Double(monotonicNanoseconds() - begin) / 1e9
        return latencies
    }

    /// One byte out, one byte back.
    private func exchange(_ fd: Int32) throws(PerfError) {
        var byte: [UInt8] = [0x78]
        try Sockets.sendAll(fd, byte, what: "sending a request to \(address.description)")
        let count = try Sockets.receive(
            fd, into: &byte, what: "waiting for the response from \(address.description)")
        if count == 0 {
            throw .failed("\(address.description) closed the connection before responding")
        }
    }
}

/// Transaction latencies in nanoseconds, and what they add up to.
struct Latencies {
    private(set) var samples: [UInt64] = []
    var elapsed = 0.0

    init() { samples.reserveCapacity(1 << 16) }

    var count: Int { samples.count }

    mutating func add(_ nanoseconds: UInt64) { samples.append(nanoseconds) }

    /// The `fraction` quantile in µs (nearest rank), 0 when there is none.
    func percentile(_ fraction: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let rank = min(
            sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))
        return Double(sorted[rank]) / 1000
    }

    func report(test: String, to address: SocketAddress) -> JSONLine {
        var line = JSONLine()
        line.add("test", test)
        line.add("peer", address.description)
        line.add("transactions", count)
        line.add("seconds", elapsed)
        line.add("transactions_per_second", elapsed > 0 ? Double(count) / elapsed : 0)
        line.add("p50_us", percentile(0.5))
        line.add("p99_us", percentile(0.99))
        return line
    }
}
