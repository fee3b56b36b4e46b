import FerryAddress

/// A socket the namespace helper made on the container's loopback for `-T` or `-U` (or
/// their `auto`); a free slot has socket -1.
struct NamespaceListener {
    var socket: Int32 = -1
    var transport: EngineConfig.Forward.Transport = .tcp
    var ipv6 = false
    /// The container's port, and the host's it reaches.
    var port: UInt16 = 0
    var targetPort: UInt16 = 0
    /// Opened by `auto` forwarding, which closes it when the host's port goes.
    var automatic = false

    /// 127.0.0.1 or ::1: what the listener is bound to in the container, and what its
    /// connections reach on the host.
    var loopback: IPAddress { ipv6 ? .v6(0, 1) : .v4(0x7F00_0001) }
}

/// What the engine keeps for container-to-host forwarding (Engine+Loopback,
/// Engine+LoopbackUDP): the namespace helper, the container's listeners, the spliced TCP
/// connections and the UDP flows. The tables are allocated once, with the engine.
final class LoopbackForwards {
    static let connectionLimit = 1024
    static let udpFlowLimit = 1024

    var helper: NamespaceSockets?
    var listeners: [NamespaceListener] = []
    /// UDP listeners by family and port (`ipv6 << 16 | port`), for the replies of a flow.
    var udpListenerIndex: [UInt32: Int] = [:]
    let splices = SpliceTable(capacity: LoopbackForwards.connectionLimit)
    /// Keyed (client, client port, listener address, listener port), as the container
    /// addressed it; each flow's socket is connected on the host's loopback.
    let udpFlows = FlowTable(capacity: LoopbackForwards.udpFlowLimit)

    static func udpKey(ipv6: Bool, port: UInt16) -> UInt32 {
        (ipv6 ? 1 << 16 : 0) | UInt32(port)
    }
}
