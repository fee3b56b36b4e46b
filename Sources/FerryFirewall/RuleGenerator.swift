// Theory of operation: Ferry's nft table.
//
// Everything lives in `table inet ferry`, apart from netavark's own table, so both can
// coexist. Five chains are fixed:
//
//   prerouting   nat, hook prerouting: `fib daddr type local jump hostports`
//   output       nat, hook output: the same, for connections the host makes itself
//   hostports    one `jump pub-<container>-<network>` per container with published ports
//   postrouting  nat, hook postrouting: one `jump nat-<network>` per network
//   forward      filter, hook forward: isolation drops first, then one `jump fwd-<network>`
//                per network
//
// Each network owns nat-<network> (masquerade, hairpin, 127.0.0.0/8) and fwd-<network>;
// each container owns pub-<container>-<network> (its DNAT rules). The fixed chains hold
// only jumps, and every batch rebuilds them from the saved state (flush, then one jump per
// owner), so removing a container is "rebuild the jumps, delete its chain": no rule
// handles to look up, and the whole change is one atomic batch.
//
// Isolation (netavark's `isolate`) matches bridges, not subnets, and depends on every other
// network, so it lives in the rebuilt `forward` chain too: traffic entering from an
// isolated network's bridge and leaving by another isolated network's bridge is dropped;
// from a strict network's bridge, leaving by any other Ferry bridge. The drops come before
// the accepts and ignore connection state, so replies are cut as well.
// TODO: the jumps make a batch grow with the number of containers; measure at 200 before
// switching to rule handles or a verdict map.
import FerryAddress

/// Builds nft command text for Ferry's table. Pure: the same input gives the same text.
public enum RuleGenerator {
    public static let family = "inet"
    public static let table = "ferry"
    static var prefix: String { "\(family) \(table)" }

    /// Creates the table and its fixed chains if missing; harmless when they exist.
    public static func base() -> [String] {
        [
            "add table \(prefix)",
            "add chain \(prefix) prerouting"
                + " { type nat hook prerouting priority dstnat; policy accept; }",
            "add chain \(prefix) output { type nat hook output priority -100; policy accept; }",
            "add chain \(prefix) postrouting"
                + " { type nat hook postrouting priority srcnat; policy accept; }",
            "add chain \(prefix) forward"
                + " { type filter hook forward priority filter; policy accept; }",
            "add chain \(prefix) hostports",
        ]
    }

    /// Rebuilds the fixed chains' jumps for exactly these networks and containers.
    public static func dispatch(networks: [NetworkRules], containers: [ContainerRules])
        -> [String]
    {
        var lines = [
            "flush chain \(prefix) prerouting",
            "flush chain \(prefix) output",
            "flush chain \(prefix) hostports",
            "flush chain \(prefix) postrouting",
            "flush chain \(prefix) forward",
            "add rule \(prefix) prerouting fib daddr type local jump hostports",
            "add rule \(prefix) output fib daddr type local jump hostports",
        ]
        let sortedNetworks = networks.sorted { $0.name < $1.name }
        for network in sortedNetworks where !network.isInternal {
            lines.append("add rule \(prefix) postrouting jump \(natChain(network.name))")
        }
        lines += isolation(sortedNetworks)
        for network in sortedNetworks {
            lines.append("add rule \(prefix) forward jump \(forwardChain(network.name))")
        }
        let sortedContainers = containers.sorted { ($0.network, $0.id) < ($1.network, $1.id) }
        for container in sortedContainers where !container.ports.isEmpty {
            lines.append(
                "add rule \(prefix) hostports jump \(portChain(container.id, container.network))")
        }
        return lines
    }

    /// The forward chain's drops between networks, one rule per isolated network.
    static func isolation(_ networks: [NetworkRules]) -> [String] {
        var lines: [String] = []
        for network in networks where network.isolation != .off {
            let others = networks.filter { other in
                guard !other.bridge.isEmpty, other.bridge != network.bridge else { return false }
                return network.isolation == .strict || other.isolation != .off
            }
            let bridges = Set(others.map { "\"\($0.bridge)\"" }).sorted()
            if bridges.isEmpty { continue }
            lines.append(
                "add rule \(prefix) forward iifname \"\(network.bridge)\" oifname "
                    + "\(match(bridges)) drop")
        }
        return lines
    }

    /// (Re)writes a network's chains: created if missing, emptied, filled.
    public static func network(_ network: NetworkRules) -> [String] {
        let forward = forwardChain(network.name)
        var lines = ["add chain \(prefix) \(forward)", "flush chain \(prefix) \(forward)"]
        for (ip, subnets) in byFamily(network.subnets) {
            let set = match(subnets.map(\.description))
            if network.isInternal {
                // No way out of the subnet, and no way in: only the host itself is reachable.
                lines.append("add rule \(prefix) \(forward) \(ip) saddr \(set) drop")
                lines.append("add rule \(prefix) \(forward) \(ip) daddr \(set) drop")
                continue
            }
            lines += [
                "add rule \(prefix) \(forward) \(ip) daddr \(set)"
                    + " ct state established,related accept",
                "add rule \(prefix) \(forward) \(ip) daddr \(set) ct status dnat accept",
                "add rule \(prefix) \(forward) \(ip) saddr \(set) accept",
            ]
        }
        if network.isInternal { return lines }

        let nat = natChain(network.name)
        lines += ["add chain \(prefix) \(nat)", "flush chain \(prefix) \(nat)"]
        for (ip, subnets) in byFamily(network.subnets) {
            let set = match(subnets.map(\.description))
            let multicast = ip == "ip" ? "224.0.0.0/4" : "ff00::/8"

            // 127.0.0.1:port reaches a container only with its loopback source rewritten.
            if ip == "ip" {
                lines.append(
                    "add rule \(prefix) \(nat) ip saddr 127.0.0.0/8 ip daddr \(set) masquerade")
            }

            // Hairpin: a container reaching a published port comes back through the host.
            lines += [
                "add rule \(prefix) \(nat) \(ip) saddr \(set) \(ip) daddr \(set)"
                    + " ct status dnat masquerade",
                "add rule \(prefix) \(nat) \(ip) saddr \(set) \(ip) daddr \(set) return",
                "add rule \(prefix) \(nat) \(ip) saddr \(set) \(ip) daddr != \(multicast)"
                    + " masquerade",
            ]
        }
        return lines
    }

    /// (Re)writes a container's DNAT chain; empty when it publishes nothing.
    public static func container(_ container: ContainerRules) -> [String] {
        if container.ports.isEmpty { return [] }
        let chain = portChain(container.id, container.network)
        var lines = ["add chain \(prefix) \(chain)", "flush chain \(prefix) \(chain)"]
        for port in container.ports {
            for (family, destination) in hostMatches(port.host) {
                guard let address = container.address(family) else { continue }
                lines.append("add rule \(prefix) \(chain) \(destination) " + dnat(port, address))
            }
        }
        return lines
    }

    /// Deletes a container's chain; `add` first so a chain already gone is no error.
    public static func removeContainer(_ container: ContainerRules) -> [String] {
        if container.ports.isEmpty { return [] }
        return removeChain(portChain(container.id, container.network))
    }

    /// Deletes a network's chains, after `dispatch` has dropped the jumps to them.
    public static func removeNetwork(_ network: NetworkRules) -> [String] {
        let nat = network.isInternal ? [] : removeChain(natChain(network.name))
        return removeChain(forwardChain(network.name)) + nat
    }

    /// Deletes the whole table; `add` first so a missing table is no error.
    public static func removeTable() -> [String] {
        ["add table \(prefix)", "delete table \(prefix)"]
    }

    static func natChain(_ network: String) -> String { "nat-\(network)" }
    static func forwardChain(_ network: String) -> String { "fwd-\(network)" }
    static func portChain(_ id: String, _ network: String) -> String {
        "pub-\(FirewallNames.containerKey(id))-\(network)"
    }

    static func removeChain(_ chain: String) -> [String] {
        ["add chain \(prefix) \(chain)", "delete chain \(prefix) \(chain)"]
    }

    /// The subnets grouped by family, IPv4 first, each group with its nft keyword.
    static func byFamily(_ subnets: [IPNetwork]) -> [(String, [IPNetwork])] {
        let v4 = subnets.filter { $0.family == .ipv4 }
        let v6 = subnets.filter { $0.family == .ipv6 }
        return (v4.isEmpty ? [] : [("ip", v4)]) + (v6.isEmpty ? [] : [("ip6", v6)])
    }

    /// One value as itself, several as an anonymous set.
    static func match(_ values: [String]) -> String {
        values.count == 1 ? values[0] : "{ \(values.joined(separator: ", ")) }"
    }

    /// The destination match for each family a host address covers. Unspecified addresses
    /// match by family, never as the literal 0.0.0.0 or ::.
    static func hostMatches(_ host: HostAddress) -> [(IPAddress.Family, String)] {
        switch host {
        case .any: [(.ipv4, "meta nfproto ipv4"), (.ipv6, "meta nfproto ipv6")]
        case .anyOf(.ipv4): [(.ipv4, "meta nfproto ipv4")]
        case .anyOf(.ipv6): [(.ipv6, "meta nfproto ipv6")]
        case .address(let address):
            [(address.family, "\(address.family == .ipv4 ? "ip" : "ip6") daddr \(address)")]
        }
    }

    /// "tcp dport 8080 dnat ip to 10.88.0.2:80", a range kept or shifted port by port.
    static func dnat(_ port: PortForward, _ address: IPAddress) -> String {
        let proto = port.transport.rawValue
        let last = Int(port.hostPort) + Int(port.count) - 1
        let ports = port.count == 1 ? "\(port.hostPort)" : "\(port.hostPort)-\(last)"
        let ip = address.family == .ipv4 ? "ip" : "ip6"
        let target = address.family == .ipv4 ? "\(address)" : "[\(address)]"
        let head = "\(proto) dport \(ports) dnat \(ip) to \(target)"
        if port.count == 1 { return "\(head):\(port.containerPort)" }
        if port.hostPort == port.containerPort { return head }
        let pairs = (0..<Int(port.count)).map { offset in
            "\(Int(port.hostPort) + offset) : \(Int(port.containerPort) + offset)"
        }
        return "\(head) : \(proto) dport map { \(pairs.joined(separator: ", ")) }"
    }
}
