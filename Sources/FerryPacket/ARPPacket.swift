import FerryAddress

/// An ARP packet for IPv4 over Ethernet (RFC 826), the only kind the engine answers.
public struct ARPPacket {
    public static let length = 28
    public static let request: UInt16 = 1
    public static let reply: UInt16 = 2

    public let bytes: PacketBytes

    /// Nil unless hardware is Ethernet (1, length 6) and protocol IPv4 (0x0800, length 4).
    public init?(_ bytes: PacketBytes) {
        guard bytes.count >= Self.length, bytes.u16(0) == 1, bytes.u16(2) == 0x0800,
            bytes.u8(4) == 6, bytes.u8(5) == 4
        else { return nil }
        self.bytes = bytes
    }

    public var operation: UInt16 { bytes.u16(6) }
    public var senderHardware: EthernetAddress { bytes.ethernet(8) }
    public var senderProtocol: IPAddress { bytes.ipv4(14) }
    public var targetHardware: EthernetAddress { bytes.ethernet(18) }
    public var targetProtocol: IPAddress { bytes.ipv4(24) }

    /// Writes the reply to `request` claiming `ourMAC` for the address it asked about.
    ///
    /// - Returns: the frame's length, or nil when `output` is too small.
    public static func writeReply(
        to request: ARPPacket, ourMAC: EthernetAddress, into output: PacketBytes
    ) -> Int? {
        var writer = PacketWriter(output)
        EthernetFrame.write(
            into: &writer, destination: request.senderHardware, source: ourMAC,
            etherType: EthernetFrame.typeARP)
        writer.u16(1)
        writer.u16(0x0800)
        writer.u8(6)
        writer.u8(4)
        writer.u16(Self.reply)
        writer.ethernet(ourMAC)
        writer.address(request.targetProtocol)
        writer.ethernet(request.senderHardware)
        writer.address(request.senderProtocol)
        return writer.length
    }
}
