import CLibNL
import FerryAddress

/// What `ip link show` tells about one interface.
public struct Link: Sendable, Equatable {
    public var index: Int32
    public var name: String
    /// The rtnl_link_ops kind: "bridge", "veth", "macvlan"; nil for a plain device.
    public var kind: String?
    public var mtu: Int
    public var mac: MACAddress?
    /// The ifindex of the bridge this link is attached to, 0 when none.
    public var masterIndex: Int32
    /// IFLA_LINK: for a veth, the peer's ifindex (in the peer's namespace).
    public var peerIndex: Int32
    public var isUp: Bool

    init(_ link: OpaquePointer) {
        index = rtnl_link_get_ifindex(link)
        name = rtnl_link_get_name(link).map { String(cString: $0) } ?? ""
        kind = rtnl_link_get_type(link).map { String(cString: $0) }
        mtu = Int(rtnl_link_get_mtu(link))
        mac = Link.readMAC(rtnl_link_get_addr(link))
        masterIndex = rtnl_link_get_master(link)
        peerIndex = rtnl_link_get_link(link)
        isUp = rtnl_link_get_flags(link) & UInt32(IFF_UP.rawValue) != 0
    }

    private static func readMAC(_ address: OpaquePointer?) -> MACAddress? {
        guard let address, nl_addr_get_len(address) == 6,
            let data = nl_addr_get_binary_addr(address)
        else { return nil }
        return MACAddress(bytes: Array(UnsafeRawBufferPointer(start: data, count: 6)))
    }
}

/// The container end of a veth pair, created directly inside the container's namespace.
public struct VethPeer {
    public var name: String
    public var mac: MACAddress?
    public var mtu: Int?
    /// A descriptor of the container's network namespace (IFLA_NET_NS_FD).
    public var namespaceDescriptor: Int32

    public init(name: String, mac: MACAddress?, mtu: Int?, namespaceDescriptor: Int32) {
        self.name = name
        self.mac = mac
        self.mtu = mtu
        self.namespaceDescriptor = namespaceDescriptor
    }
}
