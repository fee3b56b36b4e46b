import FerryAddress

/// The header fields of a segment the engine sends to the container.
public struct TCPHeaderFields {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32
    public var acknowledgmentNumber: UInt32
    public var flags: UInt8
    public var window: UInt16
    /// The MSS option (SYN-ACK only), or nil.
    public var maximumSegmentSize: UInt16?
    /// The window-scale option (SYN-ACK only, when the peer offered one), or nil.
    public var windowScale: UInt8?

    public init(
        sourcePort: UInt16, destinationPort: UInt16, sequenceNumber: UInt32,
        acknowledgmentNumber: UInt32, flags: UInt8, window: UInt16,
        maximumSegmentSize: UInt16? = nil, windowScale: UInt8? = nil
    ) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequenceNumber = sequenceNumber
        self.acknowledgmentNumber = acknowledgmentNumber
        self.flags = flags
        self.window = window
        self.maximumSegmentSize = maximumSegmentSize
        self.windowScale = windowScale
    }

    /// The TCP header's length with these options (a multiple of four).
    public var headerLength: Int {
        20 + (maximumSegmentSize == nil ? 0 : 4) + (windowScale == nil ? 0 : 4)
    }
}

extension TCPSegment {
    /// Bytes in front of a segment's payload: Ethernet, IP and a TCP header with `options`
    /// bytes of options.
    public static func frameHeaderLength(_ family: IPAddress.Family, options: Int = 0) -> Int {
        EthernetFrame.headerLength + (family == .ipv4 ? 20 : IPv6Packet.headerLength) + 20
            + options
    }

    /// Writes Ethernet, IP and TCP headers in front of a payload of `payloadLength` bytes
    /// that already sits in `output` at `frameHeaderLength` (a segment peeked straight from
    /// a socket into the frame), and the checksums; returns the frame length or nil. With
    /// `checksumOffloaded`, the TCP checksum is left partial (`VirtioNetHeader.tcp`).
    public static func write(
        into output: PacketBytes, ethernetDestination: EthernetAddress,
        ethernetSource: EthernetAddress, source: IPAddress, destination: IPAddress,
        header: TCPHeaderFields, payloadLength: Int, checksumOffloaded: Bool = false
    ) -> Int? {
        var builder = IPFrameBuilder(
            output: output, ethernetDestination: ethernetDestination,
            ethernetSource: ethernetSource, source: source, destination: destination,
            protocol: IPv4Packet.protocolTCP)
        builder.writer.u16(header.sourcePort)
        builder.writer.u16(header.destinationPort)
        builder.writer.u32(header.sequenceNumber)
        builder.writer.u32(header.acknowledgmentNumber)
        builder.writer.u8(UInt8(header.headerLength / 4) << 4)
        builder.writer.u8(header.flags)
        builder.writer.u16(header.window)
        builder.writer.u32(0)  // checksum (filled by finish) and urgent pointer
        if let size = header.maximumSegmentSize {
            builder.writer.u8(2)
            builder.writer.u8(4)
            builder.writer.u16(size)
        }
        if let scale = header.windowScale {
            builder.writer.u8(1)
            builder.writer.u8(3)
            builder.writer.u8(3)
            builder.writer.u8(scale)
        }
        builder.writer.skip(payloadLength)
        return builder.finish(partialChecksum: checksumOffloaded)
    }
}
