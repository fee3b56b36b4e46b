#if canImport(Glibc)
    import Glibc
#endif

/// One ICMP or ICMPv6 echo request over a raw socket (the probes run as root in the
/// container's namespace, where ping_group_range is left alone), and its reply awaited.
enum Ping {
    static let echoRequest4: UInt8 = 8
    static let echoReply4: UInt8 = 0
    static let echoRequest6: UInt8 = 128
    static let echoReply6: UInt8 = 129

    static func echo(_ host: String, timeout: Double) throws(PerfError) -> JSONLine {
        let address = try SocketAddress(host, port: 0)
        let ipv6 = address.family == AF_INET6
        let fd = try Sockets.open(
            address.family, Int32(SOCK_RAW.rawValue),
            ipv6 ? Int32(IPPROTO_ICMPV6) : Int32(IPPROTO_ICMP))
        defer { close(fd) }

        // Type, code, checksum, identifier, sequence 1, 32 bytes of payload.
        let identifier = UInt16(truncatingIfNeeded: getpid())
        var packet: [UInt8] = [ipv6 ? echoRequest6 : echoRequest4, 0, 0, 0]
        packet += [UInt8(identifier >> 8), UInt8(identifier & 0xFF), 0, 1]
        packet += (0..<32).map { UInt8(0x41 + $0) }
        // The kernel sums ICMPv6 itself (it needs the pseudo-header); ICMPv4 is ours.
        if !ipv6 {
            let sum = checksum(packet)
            packet[2] = UInt8(sum >> 8)
            packet[3] = UInt8(sum & 0xFF)
        }

        let start = monotonicNanoseconds()
        let sent = packet.withUnsafeBytes { bytes in
            address.withSockaddr { sendto(fd, bytes.baseAddress, bytes.count, 0, $0, $1) }
        }
        if sent < 0 { throw .lastError("sending an echo request to \(host)") }

        // Other ICMP reaches a raw socket too: wait for our reply among it.
        let deadline = start + UInt64(timeout * 1e9)
        var buffer = [UInt8](repeating: 0, count: 2048)
        while true {
            let now = monotonicNanoseconds()
            if now >= deadline { throw .failed("no echo reply from \(host) within \(timeout) s") }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, (deadline - now) / 1_000_000)))
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { continue }
            // IPv4 raw sockets hand over the IP header as well.
            let offset = ipv6 ? 0 : Int(buffer[0] & 0x0F) * 4
            guard count >= offset + 8 else { continue }
            let type = buffer[offset]
            let replyIdentifier = UInt16(buffer[offset + 4]) << 8 | UInt16(buffer[offset + 5])
            guard type == (ipv6 ? echoReply6 : echoReply4), replyIdentifier == identifier
            else { continue }
            var line = JSONLine()
            line.add("test", "ping")
            line.add("peer", host)
            line.add("rtt_us", Double(monotonicNanoseconds() - start) / 1000)
            return line
        }
    }

    /// The Internet checksum (RFC 1071).
    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
