import FerryNetlink
import FerrySystem

extension BridgeDriver {
    /// Tears one network down for a container and returns every error met on the way.
    ///
    /// `container` is nil when the namespace is already gone; the host side is still
    /// cleaned: the recorded host veth, then the bridge once nothing is attached to it.
    public func teardown(
        _ config: BridgeConfig, containerID: String, in container: NetworkNamespace?
    ) -> [any Error] {
        var errors: [any Error] = []
        func attempt(_ step: String, _ body: () throws -> Void) {
            do {
                try body()
            } catch {
                errors.append(
                    ContextError(
                        "tearing down network \(config.networkName)", ContextError(step, error)))
            }
        }
        let state = BridgeState(stateDirectory: stateDirectory)

        // The rules first: the network's own must go before its bridge does.
        attempt("removing firewall rules") {
            try removeFirewallRules(config, containerID: containerID)
        }

        // Deleting the container end removes the pair.
        if let container {
            attempt("deleting \(config.containerInterfaceName) in the container") {
                let socket = try NetlinkSocket.open(in: container)
                try ContainerInterface.removeDetachedRoutes(config.interfacePlan, socket: socket)
                if let link = try socket.linkGet(name: config.containerInterfaceName) {
                    try socket.linkDel(index: link.index, name: link.name)
                }
            }
        }

        // The host end, when the namespace went first and took the pair with it only
        // partly, or not yet: the kernel cleans up dead namespaces in the background.
        let hostVeth =
            state.hostVeth(containerID: containerID, network: config.networkName)
            ?? config.hostInterfaceName
        if let hostVeth {
            attempt("deleting host veth \(hostVeth)") {
                if let link = try host.linkGet(name: hostVeth), link.kind == "veth" {
                    try host.linkDel(index: link.index, name: link.name)
                }
            }
        }
        state.remove(containerID: containerID, network: config.networkName)

        // The bridge goes with its last port, unless someone else manages it.
        if !config.isUnmanaged {
            attempt("removing bridge \(config.bridgeName)") {
                try removeBridgeIfUnused(config.bridgeName)
            }
        }
        return errors
    }

    private func removeBridgeIfUnused(_ name: String) throws {
        guard let bridge = try host.linkGet(name: name), bridge.kind == "bridge" else { return }
        let ports = try host.linkList().filter { $0.masterIndex == bridge.index }
        guard ports.isEmpty else {
            Log.debug("bridge", "keeping \(name): \(ports.count) interface(s) still attached")
            return
        }
        // ip link del NAME
        try host.linkDel(index: bridge.index, name: name)
    }
}
