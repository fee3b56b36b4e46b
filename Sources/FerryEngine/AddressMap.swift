// Theory of operation
//
// The container's view of the world differs from the host's in three places, and this
// file is where the engine translates between them. Going out (container to host), a
// destination is rewritten before the host socket is connected:
//
// - the gateway address goes to the host's loopback (127.0.0.1 or ::1), so services bound
//   to the host's loopback are reachable, unless mapping the gateway is turned off;
// - each `mapGuestAddress` goes to the host's own address in that family, which the
//   container otherwise shadows (it was given the same address);
// - UDP to port 53 of a `dnsForward` address goes to the first upstream resolver.
//
// Coming back, nothing needs rewriting here: a flow keeps the destination the container
// used, and replies are built from it, so the container sees the address it talked to.
// Destinations the engine will not carry (multicast, broadcast, loopback, unspecified, IPv6
// link-local other than the gateway) map to nil and the packet is dropped.
//
// Coming in (a forwarded port), the client's real address is kept as the source the
// container sees, with two exceptions it could not answer: a client on the host's loopback
// appears from the gateway address, and one using the host's own address (which the
// container shares) from the first `mapGuestAddress` of that family, else the gateway.

import FerryAddress

/// The outbound destination rewrite, fixed at start-up.
struct AddressMap {
    var gateway4: IPAddress?
    var gateway6: IPAddress?
    var mapGateway: Bool
    var hostAddress4: IPAddress?
    var hostAddress6: IPAddress?
    /// Copied from the configuration (iterated per packet, never grown).
    var guestAddresses: [IPAddress]
    var dnsForward: [IPAddress]
    var dnsUpstream: IPAddress?
    var broadcast4: IPAddress?
    var container4: IPAddress?
    var container6: IPAddress?

    init(_ config: EngineConfig) {
        gateway4 = config.ipv4?.gateway
        gateway6 = config.ipv6?.gateway
        mapGateway = config.mapGateway
        hostAddress4 = config.ipv4?.hostAddress
        hostAddress6 = config.ipv6?.hostAddress
        guestAddresses = config.mapGuestAddress
        dnsForward = config.dnsForward
        dnsUpstream = config.dnsUpstreams.first
        container4 = config.ipv4?.address
        container6 = config.ipv6?.address
        broadcast4 = config.ipv4.flatMap {
            IPNetwork(address: $0.address, prefixLength: $0.prefixLength)?.broadcast
        }
    }

    /// Where a packet the container sent to `destination` (UDP port `port`, when `isUDP`)
    /// goes on the host; nil when it is not carried.
    func outbound(_ destination: IPAddress, port: UInt16, isUDP: Bool) -> IPAddress? {
        if isUDP && port == 53 {
            for address in dnsForward where address == destination { return dnsUpstream }
        }
        for address in guestAddresses where address == destination {
            return destination.family == .ipv4 ? hostAddress4 : hostAddress6
        }
        if destination == gateway4 || destination == gateway6 {
            guard mapGateway else { return destination.isLinkLocal ? nil : destination }
            return destination.family == .ipv4 ? .v4(0x7F00_0001) : .v6(0, 1)
        }
        if destination.isMulticast || destination.isUnspecified || destination.isLoopback {
            return nil
        }
        if destination == .v4(0xFFFF_FFFF) || destination == broadcast4 { return nil }
        if destination.family == .ipv6 && destination.isLinkLocal { return nil }
        return destination
    }

    /// The source address the container sees for a client of a forwarded port at `peer`;
    /// nil when there is none to give.
    func inbound(_ peer: IPAddress) -> IPAddress? {
        let isV4 = peer.family == .ipv4
        let gateway = isV4 ? gateway4 : gateway6
        if peer.isLoopback || peer.isUnspecified { return gateway }
        if peer == (isV4 ? container4 : container6) {
            for address in guestAddresses where address.family == peer.family {
                return address
            }
            return gateway
        }
        return peer
    }
}
