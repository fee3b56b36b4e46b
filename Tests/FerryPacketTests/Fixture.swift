import FerryAddress
import FerryPacket
import FerryTestSupport
import Foundation

/// A frame from Tests/FerryPacketTests/Fixtures/NAME.hex: hex bytes, `#` starts a comment.
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = TestPaths.packageRoot.appending(
            path: "Tests/FerryPacketTests/Fixtures/\(name).hex")
        let text = try String(contentsOf: url, encoding: .utf8)
        var digits = ""
        for line in text.split(separator: "\n") {
            let code = line.split(separator: "#", omittingEmptySubsequences: false)[0]
            digits += code.filter { !$0.isWhitespace }
        }
        var result: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            result.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    /// Runs `body` over a mutable copy of the fixture.
    static func with<T>(_ name: String, _ body: (PacketBytes) throws -> T) throws -> T {
        var frame = try bytes(name)
        return try frame.withUnsafeMutableBytes { try body(PacketBytes($0)) }
    }
}

/// An output buffer for builders, as the engine's send buffer.
func withOutput<T>(_ size: Int = 2048, _ body: (PacketBytes) throws -> T) rethrows -> T {
    var buffer = [UInt8](repeating: 0xAA, count: size)
    return try buffer.withUnsafeMutableBytes { try body(PacketBytes($0)) }
}

extension PacketBytes {
    var array: [UInt8] {
        guard let base else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }
}

/// Parses a built frame down to its IP layer and checks the IP header checksum on the way.
struct ParsedIP {
    let frame: EthernetFrame
    let source: IPAddress
    let destination: IPAddress
    let protocolNumber: UInt8
    let payload: PacketBytes

    init?(_ bytes: PacketBytes) {
        guard let frame = EthernetFrame(bytes) else { return nil }
        self.frame = frame
        if frame.etherType == EthernetFrame.typeIPv4 {
            guard let ip = IPv4Packet(frame.payload) else { return nil }
            (source, destination, protocolNumber, payload) =
                (ip.source, ip.destination, ip.protocolNumber, ip.payload)
        } else {
            guard let ip = IPv6Packet(frame.payload) else { return nil }
            (source, destination, protocolNumber, payload) =
                (ip.source, ip.destination, ip.upperProtocol, ip.payload)
        }
    }
}
