import FerryAddress
import Foundation

/// The answer for one network after `setup`: what resolv.conf should hold and the
/// interfaces made in the container. The whole answer maps network names to these.
///
/// Encoded like netavark: every field present, lists empty rather than absent.
public struct StatusBlock: Codable, Equatable, Sendable {
    public var dnsSearchDomains: [String]
    public var dnsServerIPs: [IPAddress]
    /// The container's interfaces on this network, by interface name.
    public var interfaces: [String: NetInterface]

    public init(
        dnsSearchDomains: [String] = [], dnsServerIPs: [IPAddress] = [],
        interfaces: [String: NetInterface] = [:]
    ) {
        self.dnsSearchDomains = dnsSearchDomains
        self.dnsServerIPs = dnsServerIPs
        self.interfaces = interfaces
    }

    enum CodingKeys: String, CodingKey {
        case interfaces
        case dnsSearchDomains = "dns_search_domains"
        case dnsServerIPs = "dns_server_ips"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        dnsSearchDomains = try fields.decodeList(String.self, .dnsSearchDomains)
        dnsServerIPs = try fields.decodeAddressesIfPresent(.dnsServerIPs) ?? []
        interfaces =
            try fields.decodeIfPresent([String: NetInterface].self, forKey: .interfaces) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.container(keyedBy: CodingKeys.self)
        try fields.encode(dnsSearchDomains, forKey: .dnsSearchDomains)
        try fields.encode(dnsServerIPs.map(\.description), forKey: .dnsServerIPs)
        try fields.encode(interfaces, forKey: .interfaces)
    }

    /// The whole answer as one line of JSON (keys sorted, no trailing newline).
    public static func encodeAnswer(_ blocks: [String: StatusBlock]) -> String {
        encodeJSON(blocks)
    }

    /// Reads an answer, as netavark or we wrote it.
    public static func decodeAnswer(_ data: Data) throws(WireError) -> [String: StatusBlock] {
        do {
            return try JSONDecoder().decode([String: StatusBlock].self, from: data)
        } catch {
            throw WireError.wrapping(error, subject: "status blocks")
        }
    }
}

/// One interface made in the container.
public struct NetInterface: Codable, Equatable, Sendable {
    public var macAddress: MACAddress
    public var subnets: [NetAddress]

    public init(macAddress: MACAddress, subnets: [NetAddress] = []) {
        self.macAddress = macAddress
        self.subnets = subnets
    }

    enum CodingKeys: String, CodingKey {
        case subnets
        case macAddress = "mac_address"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        macAddress = try fields.decodeMAC(.macAddress)
        subnets = try fields.decodeList(NetAddress.self, .subnets)
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.container(keyedBy: CodingKeys.self)
        try fields.encode(macAddress.description, forKey: .macAddress)
        try fields.encode(subnets, forKey: .subnets)
    }
}

/// An address on an interface with its subnet's prefix, and the subnet's gateway.
public struct NetAddress: Codable, Equatable, Sendable {
    /// The interface's address with the subnet's prefix length, e.g. 10.88.0.2/16.
    public var ipnet: IPNetwork
    /// Written as null when the subnet has no gateway, as netavark does.
    public var gateway: IPAddress?

    public init(ipnet: IPNetwork, gateway: IPAddress? = nil) {
        self.ipnet = ipnet
        self.gateway = gateway
    }

    enum CodingKeys: String, CodingKey {
        case ipnet, gateway
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        ipnet = try fields.decodeNetwork(.ipnet)
        gateway = try fields.decodeAddressIfPresent(.gateway)
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.container(keyedBy: CodingKeys.self)
        try fields.encode(ipnet.description, forKey: .ipnet)
        if let gateway {
            try fields.encode(gateway.description, forKey: .gateway)
        } else {
            try fields.encodeNil(forKey: .gateway)
        }
    }
}

/// The answer when a command fails: `{"error":"<message>"}` on stdout, exit status 1.
public enum ErrorAnswer {
    public static func encode(message: String) -> String {
        encodeJSON(["error": message])
    }
}

/// Compact JSON with sorted keys and unescaped slashes ("10.88.0.2/16", as netavark writes).
func encodeJSON(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    } catch {
        // Strings, lists and maps of them always encode; anything else is a bug here.
        preconditionFailure("encoding the answer failed: \(error)")
    }
}
