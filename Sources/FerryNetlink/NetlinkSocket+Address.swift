import CLibNL
import FerryAddress

#if canImport(Glibc)
    import Glibc
#endif

extension NetlinkSocket {
    /// ip addr add ADDRESS/PREFIX [broadcast +] dev INDEX [nodad]
    ///
    /// IPv6 addresses skip duplicate address detection: the subnet belongs to this network,
    /// and a tentative address would hold traffic back for a second or more.
    public func addressAdd(index: Int32, _ network: IPNetwork, interfaceName: String)
        throws(NetlinkError)
    {
        try withAddress(index: index, network) { (address) throws(NetlinkError) in
            if let broadcast = network.broadcast, network.prefixLength < 31 {
                let value = NetlinkAddress.make(broadcast)
                defer { nl_addr_put(value) }
                rtnl_addr_set_broadcast(address, value)
            }
            if network.family == .ipv6 { rtnl_addr_set_flags(address, UInt32(IFA_F_NODAD)) }
            try request("adding address \(network) to \(interfaceName)") {
                rtnl_addr_add(handle, address, NLM_F_CREATE | NLM_F_EXCL)
            }
        }
    }

    /// ip addr del ADDRESS/PREFIX dev INDEX
    public func addressDel(index: Int32, _ network: IPNetwork, interfaceName: String)
        throws(NetlinkError)
    {
        try withAddress(index: index, network) { (address) throws(NetlinkError) in
            try request("deleting address \(network) from \(interfaceName)") {
                rtnl_addr_delete(handle, address, 0)
            }
        }
    }

    /// An rtnl_addr for NETWORK on link INDEX, alive for the body's duration.
    private func withAddress(
        index: Int32, _ network: IPNetwork, _ body: (OpaquePointer?) throws(NetlinkError) -> Void
    ) throws(NetlinkError) {
        let address = rtnl_addr_alloc()
        defer { rtnl_addr_put(address) }
        rtnl_addr_set_ifindex(address, index)
        let local = NetlinkAddress.make(network)
        defer { nl_addr_put(local) }
        rtnl_addr_set_local(address, local)
        try body(address)
    }

    /// ip addr show (IPv4 and IPv6).
    public func addressList() throws(NetlinkError) -> [InterfaceAddress] {
        var cache: OpaquePointer?
        try request("listing addresses") { rtnl_addr_alloc_cache(handle, &cache) }
        defer { nl_cache_free(cache) }
        var addresses: [InterfaceAddress] = []
        var object = nl_cache_get_first(cache)
        while let current = object {
            if let network = NetlinkAddress.read(rtnl_addr_get_local(current)) {
                addresses.append(
                    InterfaceAddress(index: rtnl_addr_get_ifindex(current), network: network))
            }
            object = nl_cache_get_next(current)
        }
        return addresses
    }
}
