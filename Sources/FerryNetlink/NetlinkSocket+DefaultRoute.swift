import CLibNL

extension NetlinkSocket {
    /// The link that carries the default route in the main table, IPv4 first, lowest
    /// metric first; routes of host scope or on loopback do not count. Nil when none.
    ///
    /// ip route show default table main
    public func defaultRouteLink() throws(NetlinkError) -> Link? {
        let main = UInt32(RT_TABLE_MAIN.rawValue)
        let hostScope = UInt8(RT_SCOPE_HOST.rawValue)
        let candidates = try routeList().filter {
            $0.isDefault && $0.table == main && $0.kind == .unicast && $0.scope != hostScope
                && $0.outputIndex != 0
        }
        let ordered = candidates.sorted {
            ($0.destination.family == .ipv4 ? 0 : 1, $0.metric)
                < ($1.destination.family == .ipv4 ? 0 : 1, $1.metric)
        }
        for route in ordered {
            guard let link = try linkGet(index: route.outputIndex), link.name != "lo" else {
                continue
            }
            return link
        }
        return nil
    }
}
