import FerryAddress

/// An ICMP message (RFC 792) from an IPv4 payload, with its checksum verified.
public struct ICMPv4Message {
    public static let echoReply: UInt8 = 0
    public static let echoRequest: UInt8 = 8

    public let bytes: PacketBytes

    /// Nil when shorter than 8 bytes or when the checksum is wrong.
    public init?(_ bytes: PacketBytes) {
        guard bytes.count >= 8, InternetChecksum.verify(bytes) else { return nil }
        self.bytes = bytes
    }

    public var type: UInt8 { bytes.u8(0) }
    public var code: UInt8 { bytes.u8(1) }
    public var checksum: UInt16 { bytes.u16(2) }
    public var isEchoRequest: Bool { type == Self.echoRequest && code == 0 }

    /// Echo identifier and sequence number (meaningful for echo messages only).
    public var identifier: UInt16 { bytes.u16(4) }
    public var sequence: UInt16 { bytes.u16(6) }

    /// The echo data after the 8-byte header.
    public var data: PacketBytes { bytes.dropFirst(8)! }

    /// Writes the echo reply to `request`, from `source` to `destination`, in a frame
    /// addressed to `ethernetDestination`; returns the frame length or nil.
    public static func writeEchoReply(
        to request: ICMPv4Message, identifier: UInt16? = nil, into output: PacketBytes,
        ethernetDestination: EthernetAddress, ethernetSource: EthernetAddress,
        source: IPAddress, destination: IPAddress
    ) -> Int? {
        ICMPEcho.writeReply(
            type: Self.echoReply, protocol: IPv4Packet.protocolICMP,
            identifier: identifier ?? request.identifier, sequence: request.sequence,
            data: request.data, into: output, ethernetDestination: ethernetDestination,
            ethernetSource: ethernetSource, source: source, destination: destination)
    }
}
