import CLibNL
import FerryAddress

#if canImport(Glibc)
    import Glibc
#endif

extension NetlinkSocket {
    /// ip link add NAME link PARENT [mtu MTU] [address MAC] type macvlan mode MODE netns FD
    ///
    /// The link is born inside the target namespace, so its name never meets the names of
    /// the parent's namespace: a container's eth0 beside the host's eth0 is fine.
    public func linkAddMacvlan(
        name: String, parentIndex: Int32, mode: String, mtu: Int?, mac: MACAddress?,
        namespaceDescriptor: Int32
    ) throws(NetlinkError) {
        let modeValue = rtnl_link_macvlan_str2mode(mode)
        guard modeValue >= 0 else {
            throw .library(operation: "creating macvlan \(name): mode \(mode)", code: NLE_INVAL)
        }
        guard let link = rtnl_link_macvlan_alloc() else {
            throw .library(operation: "creating macvlan \(name)", code: NLE_NOMEM)
        }
        defer { rtnl_link_put(link) }

        rtnl_link_set_name(link, name)
        rtnl_link_set_link(link, parentIndex)
        rtnl_link_macvlan_set_mode(link, UInt32(modeValue))
        if let mtu { rtnl_link_set_mtu(link, UInt32(mtu)) }
        if let mac {
            let address = mac.bytes.withUnsafeBytes { raw in
                nl_addr_build(AF_LLC, UnsafeMutableRawPointer(mutating: raw.baseAddress), raw.count)
            }
            defer { nl_addr_put(address) }
            rtnl_link_set_addr(link, address)
        }
        rtnl_link_set_ns_fd(link, namespaceDescriptor)

        try request("creating macvlan \(name)") {
            rtnl_link_add(handle, link, NLM_F_CREATE | NLM_F_EXCL)
        }
    }
}
