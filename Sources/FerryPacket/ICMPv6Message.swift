import FerryAddress

/// An ICMPv6 message (RFC 4443, and RFC 4861's neighbour discovery) from an IPv6 payload,
/// with its checksum verified against the pseudo-header.
public struct ICMPv6Message {
    public static let echoRequest: UInt8 = 128
    public static let echoReply: UInt8 = 129
    public static let routerSolicitation: UInt8 = 133
    public static let routerAdvertisement: UInt8 = 134
    public static let neighborSolicitation: UInt8 = 135
    public static let neighborAdvertisement: UInt8 = 136

    /// Neighbour discovery option types.
    public static let optionSourceLinkLayer: UInt8 = 1
    public static let optionTargetLinkLayer: UInt8 = 2
    public static let optionPrefixInformation: UInt8 = 3
    public static let optionMTU: UInt8 = 5

    public let bytes: PacketBytes

    /// Nil when shorter than its type's fixed part, when the checksum is wrong (unless
    /// `checksumTrusted`: the sender's kernel left it to offload), or when a neighbour
    /// discovery message has options that do not tile its end (RFC 4861 7.1.1).
    public init?(
        _ bytes: PacketBytes, source: IPAddress, destination: IPAddress,
        checksumTrusted: Bool = false
    ) {
        guard bytes.count >= 8,
            checksumTrusted
                || InternetChecksum.transport(
                    source: source, destination: destination,
                    protocol: IPv6Packet.protocolICMPv6, segment: bytes) == 0
        else { return nil }
        self.bytes = bytes
        switch type {
        case Self.routerSolicitation, Self.neighborSolicitation, Self.neighborAdvertisement:
            guard code == 0, bytes.count >= optionsOffset, optionsAreWellFormed else {
                return nil
            }
        default:
            break
        }
    }

    public var type: UInt8 { bytes.u8(0) }
    public var code: UInt8 { bytes.u8(1) }
    public var checksum: UInt16 { bytes.u16(2) }
    public var isEchoRequest: Bool { type == Self.echoRequest && code == 0 }

    public var identifier: UInt16 { bytes.u16(4) }
    public var sequence: UInt16 { bytes.u16(6) }
    public var data: PacketBytes { bytes.dropFirst(8)! }

    /// The address a neighbour solicitation or advertisement is about.
    public var targetAddress: IPAddress { bytes.ipv6(8) }

    /// Where neighbour discovery options start for this message type.
    public var optionsOffset: Int {
        switch type {
        case Self.routerSolicitation: 8
        case Self.routerAdvertisement: 16
        case Self.neighborSolicitation, Self.neighborAdvertisement: 24
        default: bytes.count
        }
    }

    private var optionsAreWellFormed: Bool {
        var offset = optionsOffset
        while offset < bytes.count {
            guard bytes.contains(offset, 2) else { return false }
            let length = Int(bytes.u8(offset + 1)) * 8
            guard length > 0, bytes.contains(offset, length) else { return false }
            offset += length
        }
        return true
    }

    /// The link-layer address in the first option of `type` (source or target), if any.
    public func linkLayerOption(_ optionType: UInt8) -> EthernetAddress? {
        var offset = optionsOffset
        while bytes.contains(offset, 2) {
            let length = Int(bytes.u8(offset + 1)) * 8
            guard length > 0, bytes.contains(offset, length) else { return nil }
            if bytes.u8(offset) == optionType, length >= 8 { return bytes.ethernet(offset + 2) }
            offset += length
        }
        return nil
    }

    /// Writes the echo reply to `request`; returns the frame length or nil.
    public static func writeEchoReply(
        to request: ICMPv6Message, identifier: UInt16? = nil, into output: PacketBytes,
        ethernetDestination: EthernetAddress, ethernetSource: EthernetAddress,
        source: IPAddress, destination: IPAddress
    ) -> Int? {
        ICMPEcho.writeReply(
            type: Self.echoReply, protocol: IPv6Packet.protocolICMPv6,
            identifier: identifier ?? request.identifier, sequence: request.sequence,
            data: request.data, into: output, ethernetDestination: ethernetDestination,
            ethernetSource: ethernetSource, source: source, destination: destination)
    }
}
