import FerryAddress
import FerryPacket
import Testing

/// Runs every parser (and, where one parses, its reply builder) over `bytes`; returns how
/// many layers parsed, so the optimiser keeps the work and the test can see progress.
func parseEverything(_ bytes: PacketBytes, output: PacketBytes) -> Int {
    var parsed = 0
    if let frame = EthernetFrame(bytes) {
        parsed += 1
        if let arp = ARPPacket(frame.payload) {
            parsed += ARPPacket.writeReply(to: arp, ourMAC: ourMAC, into: output) ?? 0
        }
        if let ip = IPv4Packet(frame.payload) {
            parsed += ICMPv4Message(ip.payload) == nil ? 0 : 1
            if let udp = UDPDatagram(ip.payload) {
                _ = udp.checksumIsValid(source: ip.source, destination: ip.destination)
                if let dhcp = DHCPMessage(udp.payload) {
                    parsed += dhcp.writeReply(lease: hostileLease, into: output) ?? 0
                }
            }
            parsed += TCPSegment(ip.payload)?.headerLength ?? 0
        }
        if let ip = IPv6Packet(frame.payload) {
            if let message = ICMPv6Message(
                ip.payload, source: ip.source, destination: ip.destination)
            {
                _ = message.linkLayerOption(ICMPv6Message.optionSourceLinkLayer)
                parsed +=
                    NeighborDiscovery.writeNeighborAdvertisement(
                        to: message, from: ip, requester: frame.source, ourMAC: ourMAC,
                        into: output) ?? 0
            }
            if let udp = UDPDatagram(ip.payload), let dhcp = DHCPv6Message(udp.payload) {
                parsed +=
                    dhcp.writeReply(
                        lease: hostileLease6, source: ip.source, clientMAC: frame.source,
                        into: output) ?? 0
            }
        }
    }
    // Each parser straight on the raw bytes too, so they all see garbage at offset 0.
    parsed += ARPPacket(bytes) == nil ? 0 : 1
    parsed += IPv4Packet(bytes) == nil ? 0 : 1
    parsed += IPv6Packet(bytes) == nil ? 0 : 1
    parsed += UDPDatagram(bytes) == nil ? 0 : 1
    parsed += TCPSegment(bytes) == nil ? 0 : 1
    parsed += ICMPv4Message(bytes) == nil ? 0 : 1
    parsed += DHCPMessage(bytes) == nil ? 0 : 1
    parsed += DHCPv6Message(bytes) == nil ? 0 : 1
    return parsed
}

let hostileLease = DHCPLease(
    serverMAC: ourMAC, serverAddress: .v4(0x0A00_0202), clientAddress: .v4(0x0A00_0264),
    prefixLength: 24, router: .v4(0x0A00_0202), dnsServers: [.v4(0x0A00_0203)], mtu: 65520)
let hostileLease6 = DHCPv6Lease(
    serverMAC: ourMAC, serverAddress: .v6(0xFE80 << 48, 1), clientAddress: .v6(0xFD << 56, 2))

@Suite struct HostileInputTests {
    static let fixtures = [
        "arp-request", "icmp4-echo-request", "icmp6-echo-request", "udp4-datagram",
        "dhcp-discover", "ndp-neighbor-solicitation", "ndp-router-solicitation",
        "mld-report-hop-by-hop", "dhcpv6-solicit", "tcp4-syn",
    ]

    @Test func everyTruncationOfEveryFixtureIsSafe() throws {
        var full = 0
        var output = [UInt8](repeating: 0, count: 1600)
        for name in Self.fixtures {
            var frame = try Fixture.bytes(name)
            frame.withUnsafeMutableBytes { raw in
                output.withUnsafeMutableBytes { out in
                    for length in 0...raw.count {
                        let parsed = parseEverything(
                            PacketBytes(base: raw.baseAddress, count: length),
                            output: PacketBytes(out))
                        if length == raw.count { full += parsed > 0 ? 1 : 0 }
                    }
                }
            }
        }
        #expect(full == Self.fixtures.count)
    }

    /// 100,000 buffers: random bytes, and fixtures with random bytes flipped, random
    /// lengths and length fields set to extremes. Nothing may trap.
    @Test func randomAndMutatedBuffersAreSafe() throws {
        var generator = SplitMix(seed: 0x5EED_F322)
        let frames = try Self.fixtures.map { try Fixture.bytes($0) }
        var buffer = [UInt8](repeating: 0, count: 2048)
        var output = [UInt8](repeating: 0, count: 1600)
        var parsedLayers = 0
        for round in 0..<100_000 {
            var length: Int
            if round % 2 == 0 {
                length = Int(generator.next() % 1600)
                for index in 0..<length {
                    buffer[index] = UInt8(truncatingIfNeeded: generator.next())
                }
                if round % 4 == 0 && length >= 14 {
                    // Keep a plausible EtherType so the deeper parsers see random input.
                    let types: [UInt16] = [0x0800, 0x0806, 0x86DD]
                    let type = types[Int(generator.next() % 3)]
                    buffer[12] = UInt8(type >> 8)
                    buffer[13] = UInt8(type & 0xFF)
                    buffer[14] = type == 0x86DD ? 0x60 : 0x45
                }
            } else {
                let frame = frames[Int(generator.next() % UInt64(frames.count))]
                buffer.replaceSubrange(0..<frame.count, with: frame)
                for _ in 0..<Int(generator.next() % 4) {
                    let at = Int(generator.next() % UInt64(frame.count))
                    buffer[at] =
                        [0, 0xFF, UInt8(truncatingIfNeeded: generator.next())][
                            Int(generator.next() % 3)]
                }
                length = Int(generator.next() % UInt64(frame.count + 64))
            }
            parsedLayers += buffer.withUnsafeMutableBytes { raw in
                output.withUnsafeMutableBytes { out in
                    parseEverything(
                        PacketBytes(base: raw.baseAddress, count: length),
                        output: PacketBytes(out))
                }
            }
        }
        #expect(parsedLayers > 0)
    }

    @Test func badIPv4ChecksumAndLengthsAreRejected() throws {
        var frame = try Fixture.bytes("icmp4-echo-request")
        frame[14 + 10] ^= 0x01
        frame.withUnsafeMutableBytes { raw in
            #expect(IPv4Packet(PacketBytes(raw).dropFirst(14)!) == nil)
        }
        frame = try Fixture.bytes("icmp4-echo-request")
        frame[14 + 3] = 0xFF  // total length past the buffer (checksum aside)
        frame.withUnsafeMutableBytes { raw in
            #expect(IPv4Packet(PacketBytes(raw).dropFirst(14)!) == nil)
        }
    }
}

/// A small deterministic generator, so a failure can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
