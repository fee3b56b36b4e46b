import FerryFirewall
import FerryNetlink
import FerrySystem

extension BridgeDriver {
    /// The network's NAT and forwarding rules, and the container's published ports, in one
    /// nftables batch; internal networks get neither NAT nor published ports.
    func addFirewallRules(
        _ config: BridgeConfig, containerID: String, ports: [PortForward], firewall: Firewall,
        hostVethIndex: Int32, undo: UndoLog
    ) throws {
        let published = config.isInternal ? [] : ports
        let network = NetworkRules(
            name: config.networkName, subnets: config.subnets.map(\.subnet.canonical),
            isInternal: config.isInternal, bridge: config.bridgeName,
            isolation: config.isolation.firewall)
        let container = ContainerRules(
            id: containerID, network: config.networkName,
            addresses: config.containerAddresses.map(\.address), ports: published)
        try withContext("adding firewall rules") {
            try firewall.setup(network: network, container: container)
        }
        undo.record("removing the firewall rules of \(containerID)") {
            try firewall.teardown(network: config.networkName, containerID: containerID)
        }

        // A container reaching its own published port through the host needs hairpin.
        if !published.isEmpty, let hostVeth = try host.linkGet(index: hostVethIndex) {
            try host.linkSetHairpin(index: hostVeth.index, name: hostVeth.name)
        }
    }

    /// Removes the container's rules; the network's go with its last container.
    func removeFirewallRules(_ config: BridgeConfig, containerID: String) throws {
        guard let firewall else { return }
        try firewall.teardown(network: config.networkName, containerID: containerID)
    }
}

extension BridgeConfig.Isolation {
    /// The same choice in the firewall's terms.
    var firewall: FerryFirewall.Isolation {
        switch self {
        case .off: .off
        case .on: .on
        case .strict: .strict
        }
    }
}
