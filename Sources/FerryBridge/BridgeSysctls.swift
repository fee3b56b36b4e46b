import FerrySystem

/// The sysctls a bridge network needs, on the host side and in the container.
enum BridgeSysctls {
    /// Forwarding for networks that reach out, and route_localnet on the bridge so that
    /// published ports can later be reached through 127.0.0.1.
    static func host(_ config: BridgeConfig) throws {
        var settings: [(String, String)] = []
        if !config.isInternal {
            if config.hasIPv4 { settings.append(("net/ipv4/ip_forward", "1")) }
            if config.hasIPv6 { settings.append(("net/ipv6/conf/all/forwarding", "1")) }
        }
        if config.hasIPv4 {
            settings.append(("net/ipv4/conf/\(config.bridgeName)/route_localnet", "1"))
        }
        if config.hasIPv6 {
            settings.append(("net/ipv6/conf/\(config.bridgeName)/accept_dad", "0"))
        }
        try apply(settings)
    }

    /// In the container: announce the address by gratuitous ARP, loose reverse-path
    /// filtering (strict mode breaks replies when a container has several networks), and
    /// no IPv6 autoconfiguration or duplicate detection on an address Ferry assigned.
    static func container(_ config: ContainerInterfacePlan) throws {
        let name = config.name
        var settings: [(String, String)] = []
        if config.hasIPv4 {
            settings.append(("net/ipv4/conf/\(name)/arp_notify", "1"))
            settings.append(("net/ipv4/conf/\(name)/rp_filter", "2"))
        }
        if config.hasIPv6 {
            settings.append(("net/ipv6/conf/\(name)/autoconf", "0"))
            settings.append(("net/ipv6/conf/\(name)/accept_dad", "0"))
        }
        try apply(settings)
    }

    private static func apply(_ settings: [(String, String)]) throws {
        for (key, value) in settings {
            if try Sysctl.set(key, value) { Log.debug("bridge", "sysctl \(key) = \(value)") }
        }
    }
}
