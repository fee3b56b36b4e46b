/// An Ethernet II frame, parsed in place: 14 bytes of header, then the payload.
///
/// VLAN-tagged frames (802.1Q, 802.1ad) are rejected: the tap carries untagged frames only,
/// and a tag would shift every offset after it.
public struct EthernetFrame {
    public static let headerLength = 14
    public static let typeIPv4: UInt16 = 0x0800
    public static let typeARP: UInt16 = 0x0806
    public static let typeIPv6: UInt16 = 0x86DD
    public static let typeVLAN: UInt16 = 0x8100
    public static let typeQinQ: UInt16 = 0x88A8

    public let bytes: PacketBytes

    /// Nil for a frame shorter than its header, a VLAN tag, or a length field (802.3).
    public init?(_ bytes: PacketBytes) {
        guard bytes.count >= Self.headerLength else { return nil }
        let type = bytes.u16(12)
        guard type >= 0x0600, type != Self.typeVLAN, type != Self.typeQinQ else { return nil }
        self.bytes = bytes
    }

    public var destination: EthernetAddress { bytes.ethernet(0) }
    public var source: EthernetAddress { bytes.ethernet(6) }
    public var etherType: UInt16 { bytes.u16(12) }

    /// Everything after the header (may include the padding of a short frame).
    public var payload: PacketBytes { bytes.dropFirst(Self.headerLength)! }

    /// Writes a header; the payload follows at the writer's offset.
    public static func write(
        into writer: inout PacketWriter, destination: EthernetAddress, source: EthernetAddress,
        etherType: UInt16
    ) {
        writer.ethernet(destination)
        writer.ethernet(source)
        writer.u16(etherType)
    }
}
