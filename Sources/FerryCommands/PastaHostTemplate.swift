import FerryAddress
import FerryNetlink
import FerrySystem

/// The host interface the container's tap is modelled on: the one carrying the default
/// route, or `-i IF`. Read with netlink in the calling thread's namespace (the host's).
struct PastaHostTemplate: Equatable {
    var interfaceName: String
    /// Global addresses on it (no IPv6 link-local ones), in the kernel's order.
    var addresses: [IPNetwork]
    /// Its unicast routes in the main table, without link-local and multicast prefixes.
    var routes: [NetlinkRoute]

    /// Nil when there is no default route and no `-i`.
    static func read(interface: String?) throws -> PastaHostTemplate? {
        let socket = try NetlinkSocket()
        let link: Link
        if let interface {
            guard let found = try socket.linkGet(name: interface) else {
                throw MessageError("pasta: template interface \(interface) does not exist")
            }
            link = found
        } else {
            guard let found = try socket.defaultRouteLink() else { return nil }
            link = found
        }

        let addresses = try socket.addressList()
            .filter { $0.index == link.index && !$0.network.address.isLinkLocal }
            .map(\.network)
        let main = UInt32(254)
        let routes = try socket.routeList().filter {
            $0.outputIndex == link.index && $0.table == main && $0.kind == .unicast
                && !$0.destination.address.isMulticast
                && !($0.destination.address.isLinkLocal && $0.destination.prefixLength > 0)
        }
        return PastaHostTemplate(interfaceName: link.name, addresses: addresses, routes: routes)
    }

    /// The first address of a family.
    func address(_ family: IPAddress.Family) -> IPNetwork? {
        addresses.first { $0.family == family }
    }

    /// The gateway of the default route of a family, lowest metric first.
    func defaultGateway(_ family: IPAddress.Family) -> IPAddress? {
        routes.filter { $0.isDefault && $0.destination.family == family && $0.gateway != nil }
            .min { $0.metric < $1.metric }?.gateway
    }
}
