import FerryAddress
import FerryPacket
import Testing

/// The virtio-net header of an offloading tap: parsed from the container's side (a partial
/// checksum the engine must accept without verifying), and built for the engine's own TCP
/// frames with a partial checksum the kernel completes to the same value as a full one.
@Suite struct VirtioNetHeaderTests {
    @Test func aSynWithAPartialChecksumFromTheContainer() throws {
        try Fixture.with("vnet-tcp4-syn-partial") { bytes in
            let header = try #require(VirtioNetHeader(bytes))
            #expect(header.flags == VirtioNetHeader.flagNeedsChecksum)
            #expect(header.checksumIsTrusted)
            #expect(header.segmentation == VirtioNetHeader.gsoNone)
            #expect(header.checksumStart == 34 && header.checksumOffset == 16)

            let frame = try #require(bytes.dropFirst(VirtioNetHeader.size))
            let ip = try #require(ParsedIP(frame))
            let segment = try #require(TCPSegment(ip.payload))
            #expect(segment.isSYN && segment.maximumSegmentSize == 1460)
            // As it stands the checksum is wrong; completed as the kernel would, it is right.
            #expect(!segment.checksumIsValid(source: ip.source, destination: ip.destination))
            complete(frame, header)
            #expect(segment.checksum == 0x4FAD)
            #expect(segment.checksumIsValid(source: ip.source, destination: ip.destination))
        }
    }

    @Test func writtenAndParsedBackInTheHostsByteOrder() throws {
        var storage = [UInt8](repeating: 0xAA, count: 12)
        let header = VirtioNetHeader(
            flags: VirtioNetHeader.flagNeedsChecksum, gsoType: VirtioNetHeader.gsoTCPv6,
            headerLength: 74, segmentSize: 1440, checksumStart: 54, checksumOffset: 16)
        let parsed = storage.withUnsafeMutableBytes { raw in
            let bytes = PacketBytes(raw)
            #expect(header.write(into: bytes))
            #expect(!header.write(into: bytes.prefix(9)!))
            return VirtioNetHeader(bytes)
        }
        #expect(parsed == header)
        #expect(storage[10] == 0xAA && storage[1] == VirtioNetHeader.gsoTCPv6)
        let segmentSize = storage.withUnsafeBytes {
            $0.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
        }
        #expect(segmentSize == 1440)
        #expect(VirtioNetHeader(PacketBytes(base: nil, count: 0)) == nil)
    }

    /// A 4000-byte payload at MSS 1448: one frame for the kernel to cut into three, whose
    /// completed checksum equals the one the builder computes in full.
    @Test(arguments: ["10.0.0.1 10.0.0.2", "fd00::1 fd00::2"])
    func aTCPSuperFrameToTheContainer(addresses: String) throws {
        let pair = addresses.split(separator: " ").map { IPAddress(String($0))! }
        let family = pair[0].family
        let start = TCPSegment.frameHeaderLength(family)
        let payloadLength = 4000
        var full: UInt16 = 0
        for offloaded in [false, true] {
            try withOutput(8192) { output in
                for offset in 0..<payloadLength {
                    output.setU8(start + offset, UInt8(truncatingIfNeeded: offset * 7 + 3))
                }
                let header = TCPHeaderFields(
                    sourcePort: 5201, destinationPort: 50000, sequenceNumber: 0xFFFF_F000,
                    acknowledgmentNumber: 9, flags: TCPSegment.flagACK | TCPSegment.flagPSH,
                    window: 300)
                let length = try #require(
                    TCPSegment.write(
                        into: output, ethernetDestination: guestMAC, ethernetSource: ourMAC,
                        source: pair[0], destination: pair[1], header: header,
                        payloadLength: payloadLength, checksumOffloaded: offloaded))
                #expect(length == start + payloadLength)
                let ip = try #require(ParsedIP(output.prefix(length)!))
                let segment = try #require(TCPSegment(ip.payload))
                guard offloaded else {
                    #expect(segment.checksumIsValid(source: pair[0], destination: pair[1]))
                    full = segment.checksum
                    return
                }
                let vnet = VirtioNetHeader.tcp(
                    family: family, frameHeaderLength: start, payloadLength: payloadLength,
                    segmentSize: 1448)
                #expect(vnet.flags == VirtioNetHeader.flagNeedsChecksum)
                #expect(
                    vnet.gsoType
                        == (family == .ipv4 ? VirtioNetHeader.gsoTCPv4 : VirtioNetHeader.gsoTCPv6))
                #expect(vnet.segmentSize == 1448 && Int(vnet.headerLength) == start)
                #expect(Int(vnet.checksumStart) == start - 20 && vnet.checksumOffset == 16)
                #expect(!segment.checksumIsValid(source: pair[0], destination: pair[1]))
                complete(output.prefix(length)!, vnet)
                #expect(segment.checksum == full)
            }
        }
    }

    @Test func aPayloadOfOneSegmentIsNotCut() {
        let vnet = VirtioNetHeader.tcp(
            family: .ipv4, frameHeaderLength: 54, payloadLength: 1448, segmentSize: 1448)
        #expect(vnet.gsoType == VirtioNetHeader.gsoNone && vnet.segmentSize == 0)
        #expect(vnet.flags == VirtioNetHeader.flagNeedsChecksum)
    }

    /// What the kernel does with NEEDS_CSUM: sums from `checksumStart` to the end (the
    /// partial sum in the field included) and stores the complement in the field.
    private func complete(_ frame: PacketBytes, _ header: VirtioNetHeader) {
        let start = Int(header.checksumStart)
        let field = start + Int(header.checksumOffset)
        var sum = InternetChecksum()
        frame.dropFirst(start)!.checksum(into: &sum)
        frame.setU16(field, sum.value)
    }
}
