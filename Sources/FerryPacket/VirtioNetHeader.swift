import FerryAddress

/// The virtio-net header (`struct virtio_net_hdr`, include/uapi/linux/virtio_net.h) that a
/// tap opened with IFF_VNET_HDR puts in front of every frame, both ways.
///
/// From the container, it says what the kernel left undone: `needsChecksum` (the transport
/// checksum field holds only the pseudo-header sum; the sum over `checksumStart` to the end
/// goes at `checksumStart + checksumOffset`), `dataValid` (already checked), and a GSO type
/// when the frame is a TCP super-frame of up to 64 KiB to be cut into `segmentSize` pieces.
/// To the container, the engine uses the same fields for its own large TCP frames, and the
/// kernel cuts them and completes the checksums.
///
/// The 16-bit fields are in the host's byte order: the tap's legacy layout, as long as
/// nobody sets TUNSETVNETLE or TUNSETVNETBE on it.
public struct VirtioNetHeader: Equatable {
    /// sizeof(struct virtio_net_hdr), what TUNSETVNETHDRSZ sets.
    public static let size = 10

    public static let flagNeedsChecksum: UInt8 = 1
    public static let flagDataValid: UInt8 = 2
    public static let gsoNone: UInt8 = 0
    public static let gsoTCPv4: UInt8 = 1
    public static let gsoUDP: UInt8 = 3
    public static let gsoTCPv6: UInt8 = 4
    public static let gsoECN: UInt8 = 0x80

    public var flags: UInt8
    public var gsoType: UInt8
    /// Bytes of headers in front of the payload (Ethernet, IP, TCP): a hint, not a rule.
    public var headerLength: UInt16
    /// The payload of each segment the frame is cut into.
    public var segmentSize: UInt16
    /// Where the checksummed part starts, from the Ethernet header, and where in it the
    /// checksum field is.
    public var checksumStart: UInt16
    public var checksumOffset: UInt16

    public init(
        flags: UInt8 = 0, gsoType: UInt8 = Self.gsoNone, headerLength: UInt16 = 0,
        segmentSize: UInt16 = 0, checksumStart: UInt16 = 0, checksumOffset: UInt16 = 0
    ) {
        self.flags = flags
        self.gsoType = gsoType
        self.headerLength = headerLength
        self.segmentSize = segmentSize
        self.checksumStart = checksumStart
        self.checksumOffset = checksumOffset
    }

    /// Parses the first `size` bytes; nil when there are fewer.
    public init?(_ bytes: PacketBytes) {
        guard bytes.count >= Self.size else { return nil }
        flags = bytes.u8(0)
        gsoType = bytes.u8(1)
        headerLength = bytes.nativeU16(2)
        segmentSize = bytes.nativeU16(4)
        checksumStart = bytes.nativeU16(6)
        checksumOffset = bytes.nativeU16(8)
    }

    /// The transport checksum was not computed (`needsChecksum`) or was already verified
    /// (`dataValid`): either way the frame's own kernel vouches for the data.
    public var checksumIsTrusted: Bool {
        flags & (Self.flagNeedsChecksum | Self.flagDataValid) != 0
    }

    /// A segmentation type other than none, without the ECN bit.
    public var segmentation: UInt8 { gsoType & ~Self.gsoECN }

    /// Writes the header into the first `size` bytes; false when they are not there.
    @discardableResult
    public func write(into bytes: PacketBytes) -> Bool {
        guard bytes.count >= Self.size else { return false }
        bytes.setU8(0, flags)
        bytes.setU8(1, gsoType)
        bytes.setNativeU16(2, headerLength)
        bytes.setNativeU16(4, segmentSize)
        bytes.setNativeU16(6, checksumStart)
        bytes.setNativeU16(8, checksumOffset)
        return true
    }

    /// The header for a TCP frame with a partial checksum (`TCPSegment.write` with
    /// `checksumOffloaded`): the kernel completes the checksum and, when the payload is more
    /// than `segmentSize`, cuts the frame into segments of that size.
    public static func tcp(
        family: IPAddress.Family, frameHeaderLength: Int, payloadLength: Int, segmentSize: Int
    ) -> VirtioNetHeader {
        let transportStart =
            EthernetFrame.headerLength + (family == .ipv4 ? 20 : IPv6Packet.headerLength)
        let cut = payloadLength > segmentSize && segmentSize > 0
        return VirtioNetHeader(
            flags: flagNeedsChecksum,
            gsoType: cut ? (family == .ipv4 ? gsoTCPv4 : gsoTCPv6) : gsoNone,
            headerLength: UInt16(clamping: frameHeaderLength),
            segmentSize: cut ? UInt16(clamping: segmentSize) : 0,
            checksumStart: UInt16(transportStart), checksumOffset: 16)
    }
}
