import CFerryShim
import FerryAddress
import FerryNetlink
import FerrySystem
import Foundation

/// `ferry __pasta-attach PLAN` (internal): runs inside the container's namespaces, which a
/// constructor joined before main (see FERRY_ENTER_NAMESPACES in CFerryShim), creates the
/// tap, configures the namespace, and hands the tap back over the socket on descriptor 3:
/// "ok NAME" with the descriptor, or "error: MESSAGE". With the plan's `serve`, it then
/// stays, answering the engine's requests for sockets and files in the container on the
/// same socket (`ferry_pasta_namespace_serve`), until the engine closes it or dies.
enum PastaAttach {
    static let socketDescriptor: Int32 = 3

    static func run(_ arguments: [String]) -> Int32 {
        do {
            guard arguments.count == 1 else { throw MessageError("expected one plan") }
            let plan = try JSONDecoder().decode(
                PastaNamespacePlan.self, from: Data(arguments[0].utf8))
            var which: UnsafePointer<CChar>?
            let code = ferry_pasta_enter_error(&which)
            if code != 0 {
                let name = which.map { String(cString: $0) } ?? "?"
                throw SystemError("joining the container's \(name) namespace", errno: code)
            }
            let (tap, name) = try tapOpen(plan)
            if plan.configure { try configure(plan, name: name) }
            let reply = Array("ok \(name)".utf8)
            if ferry_pasta_send_fd(socketDescriptor, reply, reply.count, tap.rawValue) < 0 {
                throw SystemError.lastError("handing the tap back")
            }
            guard plan.serve else { return 0 }
            return serve(parent: plan.parent, tap: tap)
        } catch {
            let reply = Array("error: \(error)".utf8)
            _ = ferry_pasta_send_fd(socketDescriptor, reply, reply.count, -1)
            return 1
        }
    }

    /// Stays as the engine's namespace helper. It lets go of the tap (the engine has it) and
    /// of the standard streams, which whoever started the engine may read to the end.
    static func serve(parent: Int32, tap: FileDescriptor) -> Int32 {
        tap.close()
        PastaCommand.detachStandardStreams()
        return ferry_pasta_namespace_serve(socketDescriptor, parent) == 0 ? 0 : 1
    }

    /// Opens /dev/net/tun and creates the tap, named as planned.
    static func tapOpen(_ plan: PastaNamespacePlan) throws -> (FileDescriptor, String) {
        var actual = [CChar](repeating: 0, count: 16)
        let fd = ferry_pasta_tap_open(plan.interfaceName, &actual)
        if fd < 0 {
            throw SystemError.lastError("creating tap \(plan.interfaceName) (/dev/net/tun)")
        }
        let tap = FileDescriptor(taking: fd)
        let name = String(
            decoding: actual.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
            as: UTF8.self)
        if plan.configure, let text = plan.mac, let mac = MACAddress(text) {
            // ip link set dev TAP address MAC
            if ferry_pasta_tap_set_mac(fd, mac.bytes) != 0 {
                throw SystemError.lastError("setting \(name)'s address to \(mac)")
            }
        }
        return (tap, name)
    }

    /// Loopback up, then the tap's MTU, state, addresses and routes.
    static func configure(_ plan: PastaNamespacePlan, name: String) throws {
        let socket = try NetlinkSocket()

        // ip link set lo up
        if let loopback = try socket.linkGet(name: "lo") {
            try socket.linkSetUp(index: loopback.index, name: "lo")
        }

        // ip link set dev TAP mtu MTU up
        guard let tap = try socket.linkGet(name: name) else {
            throw MessageError("tap \(name) vanished")
        }
        try socket.linkSetMTU(index: tap.index, name: name, mtu: plan.mtu)
        // No duplicate address detection on the tap: nothing else is on that link, and a
        // link-local address left tentative for a second or two after the engine reports
        // ready makes a DHCPv6 client started at once fail to bind (as pasta, which skips
        // DAD too). Before link up, so the link-local address is made without it.
        do {
            try Sysctl.set("net/ipv6/conf/\(name)/accept_dad", "0")
        } catch {
            Log.warning("pasta", "\(error): the tap's link-local address waits for DAD")
        }
        try socket.linkSetUp(index: tap.index, name: name)

        // ip addr add ADDRESS dev TAP
        for text in plan.addresses {
            guard let network = IPNetwork(text) else { throw MessageError("bad address \(text)") }
            try socket.addressAdd(index: tap.index, network, interfaceName: name)
        }

        // ip route add DESTINATION [via GATEWAY] dev TAP [metric METRIC]; the prefix routes
        // of the addresses are there already.
        for planned in plan.routes {
            guard let destination = IPNetwork(planned.destination) else {
                throw MessageError("bad route destination \(planned.destination)")
            }
            let route = NetlinkRoute(
                destination: destination, gateway: planned.gateway.flatMap(IPAddress.init),
                outputIndex: tap.index, metric: planned.metric)
            do {
                try socket.routeAdd(route)
            } catch {
                // The kernel made it already with the address (its prefix route).
                if error.errno == EEXIST { continue }
                throw error
            }
        }
    }
}
