import Foundation

/// One link as `ip -d -j link show` reports it.
struct LinkState: Sendable, Equatable {
    var name: String
    var kind: String?
    var mtu: Int
    var operstate: String
    var flags: [String]
    var master: String?
    var mac: String?

    var isUp: Bool { flags.contains("UP") }
}

/// One address as `ip -j addr show` reports it.
struct AddressState: Sendable, Equatable {
    var interface: String
    var family: String
    var local: String
    var prefixLength: Int
    var scope: String

    var cidr: String { "\(local)/\(prefixLength)" }
}

/// One route as `ip -j route show` reports it.
struct RouteState: Sendable, Equatable {
    var type: String
    var destination: String
    var gateway: String?
    var device: String?
    var metric: Int?
    var table: String?
    var summary: String {
        var words = [type, destination]
        if let gateway { words += ["via", gateway] }
        if let device { words += ["dev", device] }
        if let metric { words += ["metric", "\(metric)"] }
        if let table { words += ["table", table] }
        return words.joined(separator: " ")
    }
}

/// Reads a namespace's links, addresses and routes through `ip -j` in a child.
enum NamespaceState {
    static func links(_ namespace: String) throws -> [LinkState] {
        try objects(["-d", "link", "show"], in: namespace).map { object in
            let info = object["linkinfo"] as? [String: Any]
            return LinkState(
                name: object["ifname"] as? String ?? "?",
                kind: info?["info_kind"] as? String,
                mtu: object["mtu"] as? Int ?? 0,
                operstate: object["operstate"] as? String ?? "?",
                flags: object["flags"] as? [String] ?? [],
                master: object["master"] as? String,
                mac: object["address"] as? String)
        }
    }

    static func link(_ name: String, in namespace: String) throws -> LinkState? {
        try links(namespace).first { $0.name == name }
    }

    static func addresses(_ namespace: String) throws -> [AddressState] {
        try objects(["addr", "show"], in: namespace).flatMap { object in
            let name = object["ifname"] as? String ?? "?"
            let infos = object["addr_info"] as? [[String: Any]] ?? []
            return infos.compactMap { info -> AddressState? in
                guard let local = info["local"] as? String else { return nil }
                return AddressState(
                    interface: name, family: info["family"] as? String ?? "?", local: local,
                    prefixLength: info["prefixlen"] as? Int ?? -1,
                    scope: info["scope"] as? String ?? "?")
            }
        }
    }

    /// Routes of one family (4 or 6) in one table ("main", "local", or "all").
    static func routes(_ namespace: String, family: Int, table: String = "main") throws
        -> [RouteState]
    {
        try objects(["-\(family)", "route", "show", "table", table], in: namespace).map {
            object in
            RouteState(
                type: object["type"] as? String ?? "unicast",
                destination: object["dst"] as? String ?? "?",
                gateway: object["gateway"] as? String,
                device: object["dev"] as? String,
                metric: object["metric"] as? Int,
                table: object["table"] as? String)
        }
    }

    /// The default route of one family in the main table, if any.
    static func defaultRoutes(_ namespace: String, family: Int) throws -> [RouteState] {
        try routes(namespace, family: family).filter { $0.destination == "default" }
    }

    private static func objects(_ arguments: [String], in namespace: String) throws
        -> [[String: Any]]
    {
        let output = try Lab.check(["ip", "-n", namespace, "-j"] + arguments)
        let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [] }
        guard
            let array = try JSONSerialization.jsonObject(with: Data(trimmed.utf8))
                as? [[String: Any]]
        else { throw LabError("ip -j \(arguments.joined(separator: " ")) printed no array") }
        return array
    }
}

/// Everything `ip -j link/addr/route` shows in a namespace, as sorted lines, to prove that
/// a call changed nothing.
struct Snapshot: Sendable, Equatable {
    let namespace: String
    let lines: [String]

    static func take(_ namespace: String) throws -> Snapshot {
        var lines: [String] = []
        for link in try NamespaceState.links(namespace) {
            lines.append(
                "link \(link.name) kind=\(link.kind ?? "-") mtu=\(link.mtu) "
                    + "state=\(link.operstate) flags=\(link.flags.sorted()) "
                    + "master=\(link.master ?? "-") mac=\(link.mac ?? "-")")
        }
        for address in try NamespaceState.addresses(namespace) {
            lines.append("addr \(address.interface) \(address.cidr) scope \(address.scope)")
        }
        for family in [4, 6] {
            for route in try NamespaceState.routes(namespace, family: family, table: "all") {
                lines.append("route -\(family) \(route.summary)")
            }
        }
        return Snapshot(namespace: namespace, lines: lines.sorted())
    }

    /// What differs from an earlier snapshot, one line per change ("+" new, "-" gone).
    func changes(since earlier: Snapshot) -> String {
        let gone = Set(earlier.lines).subtracting(lines).sorted().map { "- \($0)" }
        let new = Set(lines).subtracting(earlier.lines).sorted().map { "+ \($0)" }
        return "\(namespace): " + (gone + new).joined(separator: "\n")
    }
}
