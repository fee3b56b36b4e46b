import FerryAddress
import FerryWire

extension BridgeConfig {
    /// A Linux interface name: 1 to 15 bytes (IFNAMSIZ less the NUL), not "." or "..",
    /// and none of '/', ':' or whitespace, which the kernel or sysfs paths refuse.
    static func checkInterfaceName(_ name: String, role: String, network: String)
        throws(BridgeConfigError)
    {
        func refuse(_ reason: String) -> BridgeConfigError {
            .invalidInterfaceName(network: network, role: role, name: name, reason: reason)
        }
        if name.isEmpty { throw refuse("it is empty") }
        if name.utf8.count > 15 { throw refuse("longer than 15 bytes") }
        if name == "." || name == ".." { throw refuse("reserved name") }
        if name.contains("/") { throw refuse("contains '/'") }
        if name.contains(":") { throw refuse("contains ':'") }
        if name.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            throw refuse("contains whitespace")
        }
    }

    /// A container's static MAC must be a unicast address that is not all zeros.
    static func checkStaticMAC(_ mac: MACAddress?, network name: String)
        throws(BridgeConfigError)
    {
        guard let mac else { return }
        if mac.isMulticast {
            throw .invalidStaticMAC(network: name, mac: mac, reason: "it is a multicast address")
        }
        if mac.isZero {
            throw .invalidStaticMAC(network: name, mac: mac, reason: "it is all zeros")
        }
    }

    /// No two networks of one container may use the same container interface name.
    static func checkInterfaceNamesUnique(_ options: NetworkOptions) throws(BridgeConfigError) {
        var owners: [String: String] = [:]
        for (name, perNetwork) in options.orderedNetworks {
            if let first = owners[perNetwork.interfaceName] {
                throw .duplicateInterfaceName(
                    name: perNetwork.interfaceName, firstNetwork: first, secondNetwork: name)
            }
            owners[perNetwork.interfaceName] = name
        }
    }

    /// Subnets must not overlap, and each gateway must lie in its subnet.
    static func checkSubnets(_ subnets: [Subnet], network: String) throws(BridgeConfigError) {
        for (index, subnet) in subnets.enumerated() {
            if let gateway = subnet.gateway, !subnet.subnet.contains(gateway) {
                throw .gatewayOutsideSubnet(
                    network: network, gateway: gateway, subnet: subnet.subnet)
            }
            for other in subnets[(index + 1)...] where subnet.subnet.overlaps(other.subnet) {
                throw .overlappingSubnets(
                    network: network, first: subnet.subnet, second: other.subnet)
            }
        }
    }

    /// A unicast route goes via a gateway of its own family; the other kinds have none.
    static func checkRoutes(_ routes: [Route], network: String) throws(BridgeConfigError) {
        for route in routes {
            func refuse(_ reason: String) -> BridgeConfigError {
                .invalidRoute(network: network, destination: route.destination, reason: reason)
            }
            switch (route.kind, route.gateway) {
            case (.unicast, nil):
                throw refuse("needs a gateway (route type unicast)")
            case (.unicast, let gateway?) where gateway.family != route.destination.family:
                throw refuse("has a gateway \(gateway) of the other address family")
            case (.unicast, _):
                break
            case (let kind, let gateway?):
                throw refuse("must not have a gateway (\(gateway)) for route type \(kind.rawValue)")
            case (_, nil):
                break
            }
        }
    }
}

/// The addresses host-local IPAM implies: Podman chose the container's, the subnets give
/// their prefix length and gateway.
struct IPAMAddresses: Equatable {
    var container: [IPNetwork] = []
    var status: [NetAddress] = []
    var bridge: [IPNetwork] = []
    var defaultGateways: [IPAddress] = []

    init() {}

    init(subnets: [Subnet], staticIPs: [IPAddress], network: String) throws(BridgeConfigError) {
        if !subnets.isEmpty && staticIPs.isEmpty { throw .missingStaticIPs(network: network) }
        for address in staticIPs {
            // Overlapping subnets were refused, so at most one subnet holds the address.
            guard let subnet = subnets.first(where: { $0.subnet.contains(address) }) else {
                throw .invalidStaticIP(
                    network: network, address: address, reason: "is not inside any of its subnets")
            }
            if address == subnet.gateway {
                throw .invalidStaticIP(
                    network: network, address: address, reason: "is the subnet's gateway")
            }
            let prefix = subnet.subnet.prefixLength
            if address.family == .ipv4, address == subnet.subnet.network, prefix < 31 {
                throw .invalidStaticIP(
                    network: network, address: address, reason: "is the subnet's network address")
            }
        }

        // Subnet by subnet, as netavark orders them.
        for subnet in subnets {
            let prefix = subnet.subnet.prefixLength
            if let gateway = subnet.gateway {
                bridge.append(IPNetwork(address: gateway, prefixLength: prefix)!)
                if !defaultGateways.contains(where: { $0.family == gateway.family }) {
                    defaultGateways.append(gateway)
                }
            }
            for address in staticIPs where subnet.subnet.contains(address) {
                let ipnet = IPNetwork(address: address, prefixLength: prefix)!
                container.append(ipnet)
                status.append(NetAddress(ipnet: ipnet, gateway: subnet.gateway))
            }
        }
    }
}
