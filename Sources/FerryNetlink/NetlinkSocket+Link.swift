import CLibNL
import FerryAddress

#if canImport(Glibc)
    import Glibc
#endif

extension NetlinkSocket {
    /// ip link show
    public func linkList() throws(NetlinkError) -> [Link] {
        var cache: OpaquePointer?
        try request("listing links") { rtnl_link_alloc_cache(handle, AF_UNSPEC, &cache) }
        defer { nl_cache_free(cache) }
        var links: [Link] = []
        var object = nl_cache_get_first(cache)
        while let current = object {
            links.append(Link(current))
            object = nl_cache_get_next(current)
        }
        return links
    }

    /// ip link show NAME; nil when there is no such link.
    public func linkGet(name: String) throws(NetlinkError) -> Link? {
        try linkGet(index: 0, name: name)
    }

    /// ip link show dev INDEX; nil when there is no such link.
    public func linkGet(index: Int32) throws(NetlinkError) -> Link? {
        try linkGet(index: index, name: nil)
    }

    private func linkGet(index: Int32, name: String?) throws(NetlinkError) -> Link? {
        var link: OpaquePointer?
        do {
            try request("looking up link \(name ?? String(index))") {
                rtnl_link_get_kernel(handle, index, name, &link)
            }
        } catch .kernel(_, let errno) where errno == ENODEV {
            return nil
        } catch .library(_, let code) where code == NLE_NODEV {
            // rtnl_link_get_kernel collects the kernel's errno itself and maps it.
            return nil
        }
        defer { rtnl_link_put(link) }
        return link.map(Link.init)
    }

    /// ip link add NAME type bridge [mtu MTU]
    public func linkAddBridge(name: String, mtu: Int?) throws(NetlinkError) {
        let link = rtnl_link_alloc()
        defer { rtnl_link_put(link) }
        rtnl_link_set_name(link, name)
        rtnl_link_set_type(link, "bridge")
        if let mtu { rtnl_link_set_mtu(link, UInt32(mtu)) }
        try request("creating bridge \(name)") {
            rtnl_link_add(handle, link, NLM_F_CREATE | NLM_F_EXCL)
        }
    }

    /// ip link add [HOST] [mtu MTU] [master BRIDGE] up type veth peer name PEER netns FD
    ///
    /// With `hostName` nil the kernel names the host end ("vethN"). The host end is brought
    /// up and attached to `masterIndex` in the same request.
    public func linkAddVeth(
        hostName: String?, mtu: Int?, masterIndex: Int32?, peer: VethPeer
    ) throws(NetlinkError) {
        guard let link = rtnl_link_veth_alloc() else {
            throw .library(operation: "creating veth \(peer.name)", code: NLE_NOMEM)
        }
        defer { rtnl_link_put(link) }

        if let hostName { rtnl_link_set_name(link, hostName) }
        if let mtu { rtnl_link_set_mtu(link, UInt32(mtu)) }
        if let masterIndex { rtnl_link_set_master(link, masterIndex) }
        rtnl_link_set_flags(link, UInt32(IFF_UP.rawValue))

        let peerLink = rtnl_link_veth_get_peer(link)
        defer { rtnl_link_put(peerLink) }
        rtnl_link_set_name(peerLink, peer.name)
        if let mtu = peer.mtu { rtnl_link_set_mtu(peerLink, UInt32(mtu)) }
        if let mac = peer.mac {
            let address = mac.bytes.withUnsafeBytes { raw in
                nl_addr_build(
                    AF_LLC, UnsafeMutableRawPointer(mutating: raw.baseAddress), raw.count)
            }
            defer { nl_addr_put(address) }
            rtnl_link_set_addr(peerLink, address)
        }
        rtnl_link_set_ns_fd(peerLink, peer.namespaceDescriptor)

        try request("creating veth pair for \(peer.name)") {
            rtnl_link_add(handle, link, NLM_F_CREATE | NLM_F_EXCL)
        }
    }

    /// ip link set dev INDEX up
    public func linkSetUp(index: Int32, name: String) throws(NetlinkError) {
        try linkChange(index: index, operation: "setting \(name) up") { change in
            rtnl_link_set_flags(change, UInt32(IFF_UP.rawValue))
        }
    }

    /// ip link set dev INDEX master MASTER
    public func linkSetMaster(index: Int32, name: String, masterIndex: Int32)
        throws(NetlinkError)
    {
        try linkChange(index: index, operation: "attaching \(name) to its bridge") { change in
            rtnl_link_set_master(change, masterIndex)
        }
    }

    /// ip link set dev INDEX mtu MTU
    public func linkSetMTU(index: Int32, name: String, mtu: Int) throws(NetlinkError) {
        try linkChange(index: index, operation: "setting mtu \(mtu) on \(name)") { change in
            rtnl_link_set_mtu(change, UInt32(mtu))
        }
    }

    /// ip link del dev INDEX
    public func linkDel(index: Int32, name: String) throws(NetlinkError) {
        let link = rtnl_link_alloc()
        defer { rtnl_link_put(link) }
        rtnl_link_set_ifindex(link, index)
        try request("deleting link \(name)") { rtnl_link_delete(handle, link) }
    }

    /// `family` AF_BRIDGE makes libnl send a bridge port's flags as IFLA_PROTINFO.
    private func linkChange(
        index: Int32, operation: String, family: Int32 = AF_UNSPEC,
        _ configure: (OpaquePointer?) -> Void
    ) throws(NetlinkError) {
        let original = rtnl_link_alloc()
        let change = rtnl_link_alloc()
        defer {
            rtnl_link_put(original)
            rtnl_link_put(change)
        }
        rtnl_link_set_ifindex(original, index)
        if family != AF_UNSPEC {
            rtnl_link_set_family(original, family)
            rtnl_link_set_family(change, family)
        }
        configure(change)
        try request(operation) { rtnl_link_change(handle, original, change, 0) }
    }
}

extension NetlinkSocket {
    /// bridge link set dev INDEX hairpin on
    ///
    /// A container reaching its own published port through the host sends frames that
    /// come back out of the port they went in by; with br_netfilter loaded the bridge
    /// drops those unless the port is in hairpin mode.
    public func linkSetHairpin(index: Int32, name: String) throws(NetlinkError) {
        // libnl's bridge helpers assert on a link that is not of family AF_BRIDGE.
        try linkChange(
            index: index, operation: "setting hairpin mode on \(name)", family: AF_BRIDGE
        ) {
            change in
            rtnl_link_bridge_set_flags(change, UInt32(RTNL_BRIDGE_HAIRPIN_MODE.rawValue))
        }
    }
}
