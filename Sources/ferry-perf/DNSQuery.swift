#if canImport(Glibc)
    import Glibc
#endif

/// One DNS question (A or AAAA, recursion desired) to a server given by address, over UDP,
/// and the addresses of the answer. Only the server named is asked, never this machine's
/// resolver.
struct DNSQuery {
    let server: SocketAddress
    let name: String
    let ipv6: Bool
    let timeout: Double

    func run() throws(PerfError) -> JSONLine {
        let fd = try Sockets.connectUDP(server, timeout: timeout / 3)
        defer { close(fd) }
        let identifier = UInt16.random(in: 0...UInt16.max)
        let query = message(identifier: identifier)
        var reply = [UInt8](repeating: 0, count: 1500)
        // Three tries, as a stub resolver would.
        for _ in 0..<3 {
            try Sockets.sendAll(fd, query, what: "sending a query to \(server.description)")
            guard let count = try? Sockets.receive(fd, into: &reply, what: "answer"),
                count >= 12,
                UInt16(reply[0]) << 8 | UInt16(reply[1]) == identifier
            else { continue }
            let answers = try addresses(Array(reply[0..<count]))
            guard !answers.isEmpty else {
                throw .failed("\(server.description) answered \(name) with no address")
            }
            var line = JSONLine()
            line.add("test", "dns")
            line.add("server", server.description)
            line.add("name", name)
            line.add("answers", answers)
            return line
        }
        throw .failed("no answer from \(server.description) for \(name) within \(timeout) s")
    }

    /// Header (one question, RD set), the name as labels, type, class IN.
    func message(identifier: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(identifier >> 8), UInt8(identifier & 0xFF), 0x01, 0x00]
        bytes += [0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            bytes.append(UInt8(min(label.utf8.count, 63)))
            bytes += label.utf8.prefix(63)
        }
        bytes += [0, 0, ipv6 ? 28 : 1, 0, 1]
        return bytes
    }

    /// The A or AAAA records of an answer, as text.
    func addresses(_ reply: [UInt8]) throws(PerfError) -> [String] {
        let truncated = PerfError.failed("a truncated answer from \(server.description)")
        let answerCount = Int(reply[6]) << 8 | Int(reply[7])
        var offset = 12
        try skipName(reply, &offset)
        offset += 4
        var result: [String] = []
        for _ in 0..<answerCount {
            try skipName(reply, &offset)
            guard offset + 10 <= reply.count else { throw truncated }
            let type = Int(reply[offset]) << 8 | Int(reply[offset + 1])
            let length = Int(reply[offset + 8]) << 8 | Int(reply[offset + 9])
            offset += 10
            guard offset + length <= reply.count else { throw truncated }
            let data = Array(reply[offset..<offset + length])
            offset += length
            if type == 1 && length == 4 {
                result.append(data.map { String($0) }.joined(separator: "."))
            } else if type == 28 && length == 16 {
                var raw = in6_addr()
                withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: data) }
                var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                result.append(
                    String(
                        decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
                        as: UTF8.self))
            }
        }
        return result
    }

    /// Moves past a name: labels up to a zero, or a compression pointer.
    private func skipName(_ reply: [UInt8], _ offset: inout Int) throws(PerfError) {
        while offset < reply.count {
            let length = reply[offset]
            if length == 0 {
                offset += 1
                return
            }
            if length & 0xC0 == 0xC0 {
                offset += 2
                return
            }
            offset += Int(length) + 1
        }
        throw .failed("a malformed name in the answer from \(server.description)")
    }
}
