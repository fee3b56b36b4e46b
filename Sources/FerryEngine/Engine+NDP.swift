import FerryAddress
import FerryPacket
import FerrySystem

extension Engine {
    /// Neighbour and router solicitations are answered here; echo requests go out through
    /// ping sockets; other ICMPv6 is dropped.
    func icmpv6Receive(_ message: ICMPv6Message, packet: IPv6Packet, frame: EthernetFrame) {
        switch message.type {
        case ICMPv6Message.neighborSolicitation:
            neighborSolicitation(message, packet: packet, frame: frame)
        case ICMPv6Message.routerSolicitation:
            // RFC 4861 6.1.1: hop limit 255, or the solicitation did not come from the link.
            guard packet.hopLimit == 255 else { return drop("router solicitation hop limit") }
            let source = packet.source
            routerAdvertise(to: source.isUnspecified ? nil : source, ethernet: frame.source)
        case ICMPv6Message.echoRequest where message.code == 0:
            echoOutbound(
                source: packet.source, destination: packet.destination,
                identifier: message.identifier, message: message.bytes)
        default:
            drop("ICMPv6 type not handled")
        }
    }

    /// Claims every address the container asks about, except its own, with the engine's
    /// MAC. Duplicate address detection (from ::) is never answered.
    func neighborSolicitation(
        _ message: ICMPv6Message, packet: IPv6Packet, frame: EthernetFrame
    ) {
        let target = message.targetAddress
        guard packet.hopLimit == 255, let family = config.ipv6, target != family.address,
            !target.isMulticast, !target.isUnspecified
        else { return drop("neighbour solicitation not answered") }
        let requester =
            message.linkLayerOption(ICMPv6Message.optionSourceLinkLayer)
            ?? frame.source
        tapWrite(
            NeighborDiscovery.writeNeighborAdvertisement(
                to: message, from: packet, requester: requester, ourMAC: engineMAC,
                into: sendBytes))
    }

    /// Sends a router advertisement with the container's prefix and the MTU: to `address`
    /// when answering a solicitation from it, else to all nodes (ff02::1).
    func routerAdvertise(to address: IPAddress?, ethernet: EthernetAddress = .broadcast) {
        guard let family = config.ipv6, let network = network6 else { return }
        let destination = address ?? .v6(0xFF02_0000_0000_0000, 1)
        let length = NeighborDiscovery.writeRouterAdvertisement(
            prefix: network.network, prefixLength: UInt8(clamping: family.prefixLength),
            mtu: UInt32(clamping: config.mtu), ourMAC: engineMAC, source: linkLocal6,
            destination: destination, ethernetDestination: ethernet, into: sendBytes)
        tapWrite(length)
        Log.debug("ndp", "router advertisement sent")
    }
}
