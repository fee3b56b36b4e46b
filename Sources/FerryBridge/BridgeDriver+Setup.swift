import FerryAddress
import FerryNetlink
import FerrySystem
import FerryWire

extension BridgeDriver {
    /// Finds or creates the bridge, puts the gateway addresses on it and sets it up.
    func ensureBridge(_ config: BridgeConfig, undo: UndoLog) throws -> Link {
        let name = config.bridgeName
        if let existing = try host.linkGet(name: name) {
            guard existing.kind == "bridge" else {
                throw MessageError(
                    "bridge name \(name) is taken by a link that is not a bridge"
                        + " (kind \(existing.kind ?? "none"))")
            }
            if config.isUnmanaged { return existing }
            try addGatewayAddresses(config, bridge: existing, undo: undo)
            if !existing.isUp { try host.linkSetUp(index: existing.index, name: name) }
            return existing
        }
        guard !config.isUnmanaged else {
            throw MessageError("bridge \(name) does not exist, and mode unmanaged needs it to")
        }

        // ip link add NAME type bridge mtu MTU
        let mtu = try config.mtu ?? host.defaultRouteLink()?.mtu ?? 1500
        try host.linkAddBridge(name: name, mtu: mtu)
        guard let bridge = try host.linkGet(name: name) else {
            throw NetlinkError.notFound(operation: "creating bridge \(name)", what: name)
        }
        undo.record("deleting bridge \(name)") { [host] in
            try host.linkDel(index: bridge.index, name: name)
        }

        try addGatewayAddresses(config, bridge: bridge, undo: undo)

        // accept_dad=0 must be in place before the bridge goes up: else its link-local
        // address stays tentative for a second or more, and until then the host sends no
        // neighbour solicitation on the bridge, so forwarded IPv6 never reaches a container.
        try withContext("setting host sysctls") { try BridgeSysctls.host(config) }

        // ip link set NAME up
        try host.linkSetUp(index: bridge.index, name: name)
        return bridge
    }

    private func addGatewayAddresses(_ config: BridgeConfig, bridge: Link, undo: UndoLog)
        throws
    {
        let present = Set(
            try host.addressList().filter { $0.index == bridge.index }.map(\.network))
        for gateway in config.bridgeAddresses where !present.contains(gateway) {
            // ip addr add GATEWAY/PREFIX dev BRIDGE
            try host.addressAdd(index: bridge.index, gateway, interfaceName: bridge.name)
            undo.record("removing \(gateway) from \(bridge.name)") { [host] in
                try host.addressDel(index: bridge.index, gateway, interfaceName: bridge.name)
            }
        }
    }

    /// Creates the veth pair with its container end inside the namespace, and records the
    /// host end's name so teardown finds it even after the namespace is gone.
    func addVeth(
        _ config: BridgeConfig, bridge: Link, containerID: String,
        container: NetworkNamespace, containerSocket: NetlinkSocket, undo: UndoLog
    ) throws -> Link {
        let name = config.containerInterfaceName
        if try containerSocket.linkGet(name: name) != nil {
            throw MessageError("interface \(name) already exists in the container")
        }

        // ip link add [HOST] mtu MTU master BRIDGE up type veth peer name NAME netns NS
        let mtu = config.mtu ?? bridge.mtu
        let peer = VethPeer(
            name: name, mac: config.staticMAC, mtu: mtu,
            namespaceDescriptor: container.descriptor.rawValue)
        try withContext("creating veth \(name)") {
            try host.linkAddVeth(
                hostName: config.hostInterfaceName, mtu: mtu, masterIndex: bridge.index,
                peer: peer)
        }

        // The container end names its peer's ifindex in the host's namespace.
        guard let link = try containerSocket.linkGet(name: name),
            let hostEnd = try host.linkGet(index: link.peerIndex)
        else {
            throw NetlinkError.notFound(operation: "creating veth \(name)", what: name)
        }
        undo.record("deleting veth \(hostEnd.name)") { [host] in
            try host.linkDel(index: hostEnd.index, name: hostEnd.name)
        }

        let record = BridgeState(stateDirectory: stateDirectory)
        try record.save(
            containerID: containerID, network: config.networkName, hostVeth: hostEnd.name)
        undo.record("removing the state of \(hostEnd.name)") {
            record.remove(containerID: containerID, network: config.networkName)
        }
        Log.debug("bridge", "veth \(hostEnd.name) <-> \(name) on \(bridge.name)")
        return link
    }

    /// Sysctls, loopback, addresses, the link up, then routes, inside the container.
    func configureContainer(
        _ config: BridgeConfig, link: Link, socket: NetlinkSocket, namespace: NetworkNamespace
    ) throws {
        try ContainerInterface.configure(
            config.interfacePlan, link: link, socket: socket, namespace: namespace)
    }
}

extension FerryWire.Route {
    var netlinkKind: NetlinkRoute.Kind {
        switch kind {
        case .unicast: .unicast
        case .blackhole: .blackhole
        case .unreachable: .unreachable
        case .prohibit: .prohibit
        }
    }
}
