import Foundation

/// The networks the tests use. Subnets live only inside a lab's namespaces, so every lab
/// can reuse them; bridge names still carry the lab's id.
extension Lab {
    /// `10.(88+n).0.0/24`, gateway `.1`.
    func ipv4Network(_ number: Int = 0) -> NetworkSpec {
        NetworkSpec(
            name: "fynet\(number)", bridge: bridge(number),
            subnets: [.init(subnet: "10.\(88 + number).0.0/24", gateway: "10.\(88 + number).0.1")]
        )
    }

    /// `fd00:(88+n)::/64`, gateway `::1`.
    func ipv6Network(_ number: Int = 0) -> NetworkSpec {
        NetworkSpec(
            name: "fynet\(number)", bridge: bridge(number),
            subnets: [.init(subnet: "fd00:\(88 + number)::/64", gateway: "fd00:\(88 + number)::1")]
        )
    }

    /// Both of the above on one bridge.
    func dualStackNetwork(_ number: Int = 0) -> NetworkSpec {
        var network = ipv4Network(number)
        network.subnets += ipv6Network(number).subnets
        return network
    }
}

extension NetworkSpec.Subnet {
    /// The address with host part `host` in this subnet ("10.88.0.0/24", 5 → "10.88.0.5").
    func address(_ host: Int) -> String {
        let base = subnet.split(separator: "/")[0]
        if base.contains(":") { return base + String(host, radix: 16) }
        return base.split(separator: ".").dropLast().joined(separator: ".") + ".\(host)"
    }

    var prefixLength: Int { Int(subnet.split(separator: "/").last ?? "") ?? -1 }
    var isIPv6: Bool { subnet.contains(":") }
}

extension NetworkSpec {
    /// Joins a container as `interfaceName` with host part `host` in every subnet.
    func attach(as interfaceName: String = "eth0", host: Int) -> Attachment {
        Attachment(
            network: self, interfaceName: interfaceName,
            staticIPs: subnets.map { $0.address(host) })
    }

    /// The first gateway of one family (4 or 6), which the default route should use.
    func gateway(family: Int) -> String? {
        subnets.first { $0.isIPv6 == (family == 6) && $0.gateway != nil }?.gateway
    }
}
