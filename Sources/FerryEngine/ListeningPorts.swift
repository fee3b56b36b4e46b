// Theory of operation (listening ports, for `auto`)
//
// The kernel lists a namespace's sockets in /proc/net/tcp, tcp6, udp and udp6, one line
// each: "sl local_address rem_address st ...", the local address in hex as the kernel
// prints it (each 32-bit word of the address in the machine's byte order), a colon, the
// port in hex. A TCP socket in state 0A listens; a UDP socket in state 07 is bound and not
// connected, which is what a UDP server looks like.
//
// Which ports count depends on the side. In the container, a port reachable through the
// tap: bound to anything but a loopback address. On the host, a port reachable on its
// loopback: bound to a loopback address or to the wildcard.
//
// The files are opened once (the container's through the namespace helper) and read again
// from the start at each scan; a seq file prints its current state each time. Lines are
// parsed in a buffer allocated once, and ports gathered in a fixed bitmap.

import FerryAddress

#if canImport(Glibc)
    import Glibc
#endif

/// A set of port numbers: 65536 bits, allocated once.
final class PortBitmap {
    private let words: UnsafeMutablePointer<UInt64>
    static let wordCount = 1024

    init() {
        words = .allocate(capacity: Self.wordCount)
        words.initialize(repeating: 0, count: Self.wordCount)
    }

    deinit { words.deallocate() }

    func removeAll() { words.update(repeating: 0, count: Self.wordCount) }

    func insert(_ port: UInt16) { words[Int(port >> 6)] |= 1 << UInt64(port & 63) }

    func remove(_ port: UInt16) { words[Int(port >> 6)] &= ~(1 << UInt64(port & 63)) }

    func contains(_ port: UInt16) -> Bool { words[Int(port >> 6)] & (1 << UInt64(port & 63)) != 0 }

    func formUnion(_ other: PortBitmap) {
        for index in 0..<Self.wordCount { words[index] |= other.words[index] }
    }

    func subtract(_ other: PortBitmap) {
        for index in 0..<Self.wordCount { words[index] &= ~other.words[index] }
    }

    func copy(from other: PortBitmap) {
        words.update(from: other.words, count: Self.wordCount)
    }

    /// Calls `body` for each port in `self` but not in `other`, in order.
    func forEach(notIn other: PortBitmap, _ body: (UInt16) -> Void) {
        for index in 0..<Self.wordCount {
            var bits = words[index] & ~other.words[index]
            while bits != 0 {
                let bit = bits.trailingZeroBitCount
                body(UInt16(index << 6 | bit))
                bits &= bits - 1
            }
        }
    }
}

/// Reads the listening ports of one namespace from its /proc/net files.
struct ListeningPorts {
    enum Scope {
        /// The container's ports the tap reaches: bound to anything but loopback.
        case beyondLoopback
        /// The host's ports its loopback reaches: bound to loopback or the wildcard.
        case onLoopback
    }

    /// TCP_LISTEN and TCP_CLOSE (an unconnected UDP socket), as /proc/net prints them.
    static let tcpListen: UInt8 = 0x0A
    static let udpUnconnected: UInt8 = 0x07

    /// Adds to `ports` every port of `file` (an open /proc/net/tcp, tcp6, udp or udp6) in
    /// `state` and `scope`; `buffer` is scratch space. False when the file cannot be read.
    static func scan(
        _ file: Int32, state: UInt8, scope: Scope, into ports: PortBitmap,
        buffer: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard lseek(file, 0, SEEK_SET) == 0, let base = buffer.baseAddress else { return false }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var kept = 0
        var firstLine = true
        // Inside a line longer than the buffer, dropped up to its end.
        var skipping = false
        while true {
            let count = read(file, bytes + kept, buffer.count - kept)
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            let end = kept + count
            // Each complete line; what is left of a line waits for the next read.
            var start = 0
            var index = 0
            while index < end {
                if bytes[index] == UInt8(ascii: "\n") {
                    if !firstLine && !skipping {
                        parse(bytes + start, count: index - start, state, scope, into: ports)
                    }
                    firstLine = false
                    skipping = false
                    start = index + 1
                }
                index += 1
            }
            if count == 0 { return true }
            kept = end - start
            if kept == buffer.count {
                skipping = true
                kept = 0
            }
            if kept > 0 && start > 0 { memmove(bytes, bytes + start, kept) }
        }
    }

    /// One line: "  12: 0100007F:1F90 00000000:0000 0A ...".
    static func parse(
        _ line: UnsafePointer<UInt8>, count: Int, _ state: UInt8, _ scope: Scope,
        into ports: PortBitmap
    ) {
        var index = 0
        func skipSpaces() { while index < count && line[index] == 0x20 { index += 1 } }
        func skipField() { while index < count && line[index] != 0x20 { index += 1 } }

        // "sl:", then the local address and port.
        skipSpaces()
        skipField()
        skipSpaces()
        let addressStart = index
        while index < count && line[index] != UInt8(ascii: ":") { index += 1 }
        let addressLength = index - addressStart
        guard addressLength == 8 || addressLength == 32, index + 5 <= count,
            let port = hex(line + index + 1, count: 4)
        else { return }
        index += 5
        skipSpaces()
        skipField()  // the remote address
        skipSpaces()
        guard index + 2 <= count, let found = hex(line + index, count: 2), found == state,
            port > 0
        else { return }

        // The address, back in network byte order: each word as the machine stores it.
        var address = (UInt64(0), UInt64(0))
        var loopback = false
        var wildcard = true
        withUnsafeMutableBytes(of: &address) { raw in
            for word in 0..<(addressLength / 8) {
                let value = UInt32(hex(line + addressStart + word * 8, count: 8) ?? 0)
                raw.storeBytes(of: value, toByteOffset: word * 4, as: UInt32.self)
            }
            if addressLength == 8 {
                wildcard = raw[0] | raw[1] | raw[2] | raw[3] == 0
                loopback = raw[0] == 127
            } else {
                wildcard = raw.allSatisfy { $0 == 0 }
                let zeros10 = raw[0..<10].allSatisfy { $0 == 0 }
                let one = zeros10 && raw[10..<15].allSatisfy { $0 == 0 } && raw[15] == 1
                let mapped = zeros10 && raw[10] == 0xFF && raw[11] == 0xFF
                loopback = one || (mapped && raw[12] == 127)
            }
        }
        switch scope {
        case .beyondLoopback: if loopback { return }
        case .onLoopback: if !loopback && !wildcard { return }
        }
        ports.insert(UInt16(port))
    }

    /// `count` hex digits as a number; nil on anything else.
    static func hex(_ digits: UnsafePointer<UInt8>, count: Int) -> UInt32? {
        var value: UInt32 = 0
        for index in 0..<count {
            let digit = digits[index]
            let nibble: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = digit - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt32(nibble)
        }
        return value
    }
}
