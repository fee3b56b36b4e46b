import FerryAddress

/// What the driver derives from a validated config.
extension BridgeConfig {
    var isUnmanaged: Bool { mode == .unmanaged }
    var hasIPv4: Bool { containerAddresses.contains { $0.family == .ipv4 } }
    var hasIPv6: Bool { containerAddresses.contains { $0.family == .ipv6 } }
}

extension BridgeConfig {
    var interfacePlan: ContainerInterfacePlan {
        ContainerInterfacePlan(
            name: containerInterfaceName, addresses: containerAddresses,
            defaultRouteGateways: defaultRouteGateways, metric: metric, routes: routes)
    }
}
