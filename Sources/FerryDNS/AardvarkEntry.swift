import FerryAddress

/// One container's line in an aardvark-dns network file:
/// `<id> <ipv4s> <ipv6s> <names>[ <dns_servers>]`, each list comma-separated and possibly
/// empty, so an IPv4-only container has two spaces in a row.
public struct AardvarkEntry: Equatable, Sendable {
    public var containerID: String
    public var ipv4Addresses: [IPAddress]
    public var ipv6Addresses: [IPAddress]
    /// The container's name first, then its aliases on this network.
    public var names: [String]
    /// The container's own DNS servers (`podman run --dns`); empty when it has none.
    public var dnsServers: [IPAddress]

    /// Sorts the addresses into their families; names keep their order.
    public init(
        containerID: String, addresses: [IPAddress], names: [String],
        dnsServers: [IPAddress] = []
    ) {
        self.containerID = containerID
        ipv4Addresses = addresses.filter { $0.family == .ipv4 }
        ipv6Addresses = addresses.filter { $0.family == .ipv6 }
        self.names = names
        self.dnsServers = dnsServers
    }

    /// The line without its newline.
    public var line: String {
        var fields = [
            containerID, joined(ipv4Addresses), joined(ipv6Addresses),
            names.joined(separator: ","),
        ]
        if !dnsServers.isEmpty { fields.append(joined(dnsServers)) }
        return fields.joined(separator: " ")
    }

    /// Reads a line as aardvark-dns would; nil when it does not have four fields or an
    /// address does not parse.
    public init?(line: String) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 4 || fields.count == 5, !fields[0].isEmpty else { return nil }
        guard let ipv4 = Self.addresses(fields[1]), let ipv6 = Self.addresses(fields[2]),
            let servers = Self.addresses(fields.count == 5 ? fields[4] : "")
        else { return nil }
        containerID = String(fields[0])
        ipv4Addresses = ipv4
        ipv6Addresses = ipv6
        names = fields[3].split(separator: ",").map(String.init)
        dnsServers = servers
    }

    static func addresses(_ field: Substring) -> [IPAddress]? {
        var result: [IPAddress] = []
        for text in field.split(separator: ",") {
            guard let address = IPAddress(String(text)) else { return nil }
            result.append(address)
        }
        return result
    }
}

func joined(_ addresses: [IPAddress]) -> String {
    addresses.map(\.description).joined(separator: ",")
}
