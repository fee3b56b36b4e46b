import FerryNetlink
import FerrySystem
import FerryWire

/// The macvlan driver: a macvlan link on a host interface, created directly inside the
/// container's namespace. Nothing is left on the host side, so teardown only removes the
/// link, and has nothing to do once the namespace is gone.
public final class MacvlanDriver {
    let host: NetlinkSocket

    public init() throws {
        host = try NetlinkSocket()
    }

    public func setup(_ config: MacvlanConfig, in container: NetworkNamespace) throws
        -> StatusBlock
    {
        try withContext("setting up network \(config.networkName)") {
            let socket = try withContext("opening netlink in the container") {
                try NetlinkSocket.open(in: container)
            }
            let name = config.containerInterfaceName
            if try socket.linkGet(name: name) != nil {
                throw MessageError("interface \(name) already exists in the container")
            }
            let parent = try parentLink(config)

            // ip link add NAME link PARENT type macvlan mode MODE netns CONTAINER
            try host.linkAddMacvlan(
                name: name, parentIndex: parent.index, mode: config.mode, mtu: config.link.mtu,
                mac: config.staticMAC, namespaceDescriptor: container.descriptor.rawValue)
            guard let link = try socket.linkGet(name: name) else {
                throw NetlinkError.notFound(operation: "creating macvlan \(name)", what: name)
            }

            do {
                try withContext("setting up \(name)") {
                    try ContainerInterface.configure(
                        config.interfacePlan, link: link, socket: socket, namespace: container)
                }
            } catch {
                try? socket.linkDel(index: link.index, name: name)
                throw error
            }
            guard let mac = config.staticMAC ?? link.mac else {
                throw MessageError("reading the mac address of \(name)")
            }
            let interface = NetInterface(macAddress: mac, subnets: config.statusAddresses)
            return StatusBlock(
                dnsSearchDomains: [], dnsServerIPs: [], interfaces: [name: interface])
        }
    }

    public func teardown(_ config: MacvlanConfig, in container: NetworkNamespace?) -> [any Error] {
        guard let container else { return [] }
        do {
            let socket = try NetlinkSocket.open(in: container)
            try ContainerInterface.removeDetachedRoutes(config.interfacePlan, socket: socket)
            if let link = try socket.linkGet(name: config.containerInterfaceName) {
                try socket.linkDel(index: link.index, name: link.name)
            }
            return []
        } catch {
            return [ContextError("tearing down network \(config.networkName)", error)]
        }
    }

    /// `network_interface`, else the interface of the default route.
    private func parentLink(_ config: MacvlanConfig) throws -> Link {
        if let name = config.parentName {
            guard let link = try host.linkGet(name: name) else {
                throw MessageError("parent interface \(name) does not exist")
            }
            return link
        }
        guard let link = try host.defaultRouteLink() else {
            throw MessageError(
                "no parent interface: network_interface is not set and there is no default route")
        }
        return link
    }
}
