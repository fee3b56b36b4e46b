import FerryAddress

/// Neighbour discovery answers (RFC 4861): neighbour advertisements for the addresses the
/// engine stands for, and router advertisements shaped like pasta's.
///
/// pasta's advertisement: cur hop limit 255, the managed-address flag set (so DHCPv6 clients
/// ask for an address), router lifetime 65535, reachable and retransmit times 0, then a
/// prefix information option (on-link and autonomous, infinite valid and preferred lifetimes),
/// an MTU option when the MTU is known, and a source link-layer address option.
public enum NeighborDiscovery {
    /// The ff02::1:ffXX:XXXX group a solicitation for `target` is sent to.
    public static func solicitedNodeGroup(_ target: IPAddress) -> IPAddress {
        guard case .v6(_, let low) = target else { return target }
        return .v6(0xFF02_0000_0000_0000, 0x0000_0001_FF00_0000 | (low & 0xFF_FFFF))
    }

    /// The Ethernet destination for an IPv6 destination: the 33:33 group for multicast, else
    /// `unicast`.
    public static func ethernetDestination(
        for address: IPAddress, unicast: EthernetAddress
    ) -> EthernetAddress {
        guard address.isMulticast, case .v6(_, let low) = address else { return unicast }
        return EthernetAddress(ipv6Multicast: low)
    }

    /// Answers a neighbour solicitation for `solicitation.targetAddress` with `ourMAC`, flags
    /// router, solicited and override, to the soliciting address (which must not be ::).
    public static func writeNeighborAdvertisement(
        to solicitation: ICMPv6Message, from packet: IPv6Packet, requester: EthernetAddress,
        ourMAC: EthernetAddress, into output: PacketBytes
    ) -> Int? {
        guard !packet.source.isUnspecified else { return nil }
        var builder = IPFrameBuilder(
            output: output, ethernetDestination: requester, ethernetSource: ourMAC,
            source: solicitation.targetAddress, destination: packet.source,
            protocol: IPv6Packet.protocolICMPv6)
        builder.writer.u8(ICMPv6Message.neighborAdvertisement)
        builder.writer.u8(0)
        builder.writer.u16(0)
        builder.writer.u32(0xE000_0000)
        builder.writer.address(solicitation.targetAddress)
        builder.writer.u8(ICMPv6Message.optionTargetLinkLayer)
        builder.writer.u8(1)
        builder.writer.ethernet(ourMAC)
        return builder.finish(hopLimit: 255)
    }

    /// Writes a router advertisement for `prefix`/`prefixLength` from `source` (a link-local
    /// address) to `destination` (the soliciting address, or ff02::1 when unsolicited).
    public static func writeRouterAdvertisement(
        prefix: IPAddress, prefixLength: UInt8 = 64, mtu: UInt32?, ourMAC: EthernetAddress,
        source: IPAddress, destination: IPAddress, ethernetDestination: EthernetAddress,
        into output: PacketBytes
    ) -> Int? {
        guard case .v6 = prefix, prefixLength <= 128,
            let network = IPNetwork(address: prefix, prefixLength: Int(prefixLength))
        else { return nil }
        var builder = IPFrameBuilder(
            output: output,
            ethernetDestination: Self.ethernetDestination(
                for: destination, unicast: ethernetDestination),
            ethernetSource: ourMAC, source: source, destination: destination,
            protocol: IPv6Packet.protocolICMPv6)
        var writer = builder.writer
        writer.u8(ICMPv6Message.routerAdvertisement)
        writer.u8(0)
        writer.u16(0)
        writer.u8(255)  // cur hop limit
        writer.u8(0x80)  // M: addresses from DHCPv6
        writer.u16(65535)  // router lifetime
        writer.u32(0)  // reachable time
        writer.u32(0)  // retransmit timer

        writer.u8(ICMPv6Message.optionPrefixInformation)
        writer.u8(4)
        writer.u8(prefixLength)
        writer.u8(0xC0)  // L: on-link, A: autonomous
        writer.u32(.max)  // valid lifetime
        writer.u32(.max)  // preferred lifetime
        writer.u32(0)
        writer.address(network.network)

        if let mtu {
            writer.u8(ICMPv6Message.optionMTU)
            writer.u8(1)
            writer.u16(0)
            writer.u32(mtu)
        }

        writer.u8(ICMPv6Message.optionSourceLinkLayer)
        writer.u8(1)
        writer.ethernet(ourMAC)
        builder.writer = writer
        return builder.finish(hopLimit: 255)
    }
}
