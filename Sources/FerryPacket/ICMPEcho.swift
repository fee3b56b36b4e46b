import FerryAddress

/// The echo reply both ICMP versions share: type, code 0, a checksum the builder fills in,
/// the identifier and sequence, the request's data.
enum ICMPEcho {
    static func writeReply(
        type: UInt8, protocol number: UInt8, identifier: UInt16, sequence: UInt16,
        data: PacketBytes, into output: PacketBytes, ethernetDestination: EthernetAddress,
        ethernetSource: EthernetAddress, source: IPAddress, destination: IPAddress
    ) -> Int? {
        var builder = IPFrameBuilder(
            output: output, ethernetDestination: ethernetDestination,
            ethernetSource: ethernetSource, source: source, destination: destination,
            protocol: number)
        builder.writer.u8(type)
        builder.writer.u8(0)
        builder.writer.u16(0)
        builder.writer.u16(identifier)
        builder.writer.u16(sequence)
        builder.writer.copy(data)
        return builder.finish()
    }
}
