import CLibNL
import FerryAddress

#if canImport(Glibc)
    import Glibc
#endif

extension NetlinkSocket {
    /// ip route prepend [TYPE] DESTINATION [via GATEWAY] [dev INDEX] [metric METRIC]
    ///
    /// Without NLM_F_EXCL a route to the same destination with the same metric through
    /// another next hop is added beside the existing one, so a container on two networks
    /// gets a default route through each; an identical route is still EEXIST.
    public func routeAdd(_ route: NetlinkRoute) throws(NetlinkError) {
        try routeRequest(route, operation: "adding route \(route.description)") { message in
            rtnl_route_add(handle, message, NLM_F_CREATE)
        }
    }

    /// ip route del ...
    public func routeDel(_ route: NetlinkRoute) throws(NetlinkError) {
        try routeRequest(route, operation: "deleting route \(route.description)") { message in
            rtnl_route_delete(handle, message, 0)
        }
    }

    /// ip route del ..., where a route already gone (ESRCH) is not an error.
    public func routeDelIfPresent(_ route: NetlinkRoute) throws(NetlinkError) {
        do {
            try routeDel(route)
        } catch .kernel(_, let errno) where errno == ESRCH {
            return
        }
    }

    /// ip route show table all (IPv4 and IPv6).
    public func routeList() throws(NetlinkError) -> [NetlinkRoute] {
        var cache: OpaquePointer?
        try request("listing routes") { rtnl_route_alloc_cache(handle, AF_UNSPEC, 0, &cache) }
        defer { nl_cache_free(cache) }
        var routes: [NetlinkRoute] = []
        var object = nl_cache_get_first(cache)
        while let current = object {
            if let route = Self.readRoute(current) { routes.append(route) }
            object = nl_cache_get_next(current)
        }
        return routes
    }

    private func routeRequest(
        _ route: NetlinkRoute, operation: String, _ send: (OpaquePointer?) -> Int32
    ) throws(NetlinkError) {
        let message = rtnl_route_alloc()
        defer { rtnl_route_put(message) }
        let family = route.destination.family.addressFamily

        // The destination, the kind and where the route lives.
        let destination = NetlinkAddress.make(route.destination)
        defer { nl_addr_put(destination) }
        rtnl_route_set_family(message, UInt8(family))
        rtnl_route_set_dst(message, destination)
        rtnl_route_set_type(message, route.kind.rtnType)
        rtnl_route_set_table(message, route.table)
        rtnl_route_set_scope(message, route.scope)
        rtnl_route_set_protocol(message, UInt8(RTPROT_STATIC))
        if route.metric != 0 { rtnl_route_set_priority(message, route.metric) }

        // Blackhole, unreachable and prohibit routes have no next hop.
        if route.kind == .unicast {
            let hop = rtnl_route_nh_alloc()
            if let gateway = route.gateway {
                let address = NetlinkAddress.make(gateway)
                rtnl_route_nh_set_gateway(hop, address)
                nl_addr_put(address)
            }
            if route.outputIndex != 0 { rtnl_route_nh_set_ifindex(hop, route.outputIndex) }
            rtnl_route_add_nexthop(message, hop)
        }

        try request(operation) { send(message) }
    }

    private static func readRoute(_ route: OpaquePointer) -> NetlinkRoute? {
        guard let kind = NetlinkRoute.Kind(rtnType: rtnl_route_get_type(route)) else {
            return nil
        }
        // A default route carries no RTA_DST: libnl hands back an empty address.
        let family = Int32(rtnl_route_get_family(route))
        let anyAddress: IPAddress? =
            family == AF_INET ? .v4(0) : family == AF_INET6 ? .v6(0, 0) : nil
        guard
            let destination = NetlinkAddress.read(rtnl_route_get_dst(route))
                ?? anyAddress.flatMap({ IPNetwork(address: $0, prefixLength: 0) })
        else { return nil }
        var result = NetlinkRoute(
            kind: kind, destination: destination, metric: rtnl_route_get_priority(route),
            table: rtnl_route_get_table(route))
        result.scope = rtnl_route_get_scope(route)
        if rtnl_route_get_nnexthops(route) > 0, let hop = rtnl_route_nexthop_n(route, 0) {
            result.gateway = NetlinkAddress.read(rtnl_route_nh_get_gateway(hop))?.address
            result.outputIndex = rtnl_route_nh_get_ifindex(hop)
        }
        return result
    }
}
