import FerryAddress
import FerryFirewall
import FerryNetlink
import FerrySystem
import FerryWire

/// The bridge driver: a Linux bridge on the host, a veth pair per container, addresses and
/// routes inside the container, all through netlink.
///
/// Setup creates what is missing and undoes itself when a step fails. Teardown is best
/// effort: it keeps going, collects every error, and still cleans the host side when the
/// container's namespace is already gone. Callers hold Ferry's lock around both, so no two
/// calls race on a bridge.
public final class BridgeDriver {
    /// A socket in the namespace the bridge lives in (the host, or Podman's rootless
    /// network namespace).
    let host: NetlinkSocket
    let stateDirectory: String
    /// The nftables firewall; nil with firewall driver `none`.
    let firewall: Firewall?

    public init(stateDirectory: String, firewall: Firewall?) throws {
        host = try NetlinkSocket()
        self.stateDirectory = stateDirectory
        self.firewall = firewall
    }

    /// Sets up one network for a container, returning what netavark would report.
    public func setup(
        _ config: BridgeConfig, containerID: String, ports: [PortForward],
        in container: NetworkNamespace
    ) throws -> StatusBlock {
        let undo = UndoLog()
        do {
            let status = try withContext("setting up network \(config.networkName)") {
                try setupSteps(
                    config, containerID: containerID, ports: ports, container: container,
                    undo: undo)
            }
            undo.commit()
            return status
        } catch {
            undo.rollback()
            throw error
        }
    }

    private func setupSteps(
        _ config: BridgeConfig, containerID: String, ports: [PortForward],
        container: NetworkNamespace, undo: UndoLog
    ) throws -> StatusBlock {
        let containerSocket = try withContext("opening netlink in the container") {
            try NetlinkSocket.open(in: container)
        }

        // The bridge, its gateway addresses, and the host's forwarding.
        let bridge = try ensureBridge(config, undo: undo)
        try withContext("setting host sysctls") { try BridgeSysctls.host(config) }

        // The veth pair: the container end is born inside the namespace.
        let containerLink = try addVeth(
            config, bridge: bridge, containerID: containerID, container: container,
            containerSocket: containerSocket, undo: undo)

        // Inside the container: sysctls, loopback, addresses, the link up, routes.
        try withContext("setting up \(config.containerInterfaceName)") {
            try configureContainer(
                config, link: containerLink, socket: containerSocket,
                namespace: container)
        }

        // NAT, forwarding and published ports, once the container can answer.
        if let firewall, !config.containerAddresses.isEmpty {
            try addFirewallRules(
                config, containerID: containerID, ports: ports, firewall: firewall,
                hostVethIndex: containerLink.peerIndex, undo: undo)
        }

        let subnets = config.statusAddresses
        let mac = config.staticMAC ?? containerLink.mac
        guard let mac else {
            throw MessageError("reading the mac address of \(config.containerInterfaceName)")
        }
        return StatusBlock(
            dnsSearchDomains: [], dnsServerIPs: [],
            interfaces: [
                config.containerInterfaceName: NetInterface(macAddress: mac, subnets: subnets)
            ])
    }
}
