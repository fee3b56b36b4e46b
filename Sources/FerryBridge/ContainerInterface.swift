import FerryAddress
import FerryNetlink
import FerrySystem
import FerryWire

/// What goes on one interface inside the container, whichever driver made the link.
struct ContainerInterfacePlan {
    var name: String
    var addresses: [IPNetwork]
    var defaultRouteGateways: [IPAddress]
    var metric: UInt32
    var routes: [FerryWire.Route]

    var hasIPv4: Bool { addresses.contains { $0.family == .ipv4 } }
    var hasIPv6: Bool { addresses.contains { $0.family == .ipv6 } }
}

/// Configures a link that already sits in the container's namespace.
enum ContainerInterface {
    /// Sysctls, loopback, addresses, the link up, then routes.
    static func configure(
        _ plan: ContainerInterfacePlan, link: Link, socket: NetlinkSocket,
        namespace: NetworkNamespace
    ) throws {
        try namespace.run { try BridgeSysctls.container(plan) }

        // ip link set lo up
        if let loopback = try socket.linkGet(name: "lo"), !loopback.isUp {
            try socket.linkSetUp(index: loopback.index, name: "lo")
        }

        // ip addr add ADDRESS/PREFIX dev NAME
        for address in plan.addresses {
            try socket.addressAdd(index: link.index, address, interfaceName: link.name)
        }

        // ip link set NAME up
        try socket.linkSetUp(index: link.index, name: link.name)

        // ip route add default via GATEWAY metric METRIC, one per family
        for gateway in plan.defaultRouteGateways {
            let anyAddress = IPNetwork(
                address: gateway.family == .ipv4 ? .v4(0) : .v6(0, 0), prefixLength: 0)!
            try socket.routeAdd(
                NetlinkRoute(
                    destination: anyAddress, gateway: gateway, outputIndex: link.index,
                    metric: plan.metric))
        }

        // The network's own routes: unicast via a gateway, or blackhole and the like.
        for route in plan.routes {
            try socket.routeAdd(
                NetlinkRoute(
                    kind: route.netlinkKind, destination: route.destination,
                    gateway: route.gateway,
                    outputIndex: route.kind == .unicast ? link.index : 0,
                    metric: route.metric ?? plan.metric))
        }
    }

    /// Removes the network's routes that outlive the link: blackhole, unreachable and
    /// prohibit routes belong to no device. Routes already gone are fine.
    static func removeDetachedRoutes(_ plan: ContainerInterfacePlan, socket: NetlinkSocket)
        throws
    {
        for route in plan.routes where route.kind != .unicast {
            try socket.routeDelIfPresent(
                NetlinkRoute(
                    kind: route.netlinkKind, destination: route.destination,
                    metric: route.metric ?? plan.metric))
        }
    }
}
