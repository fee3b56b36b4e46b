// What the firewall is asked for, in its own terms: a network (subnets to masquerade and
// forward) and a container's share of it (addresses and published ports). No wire format
// here; the bridge driver translates its validated config into these.
import FerryAddress

/// A transport protocol a port can be published for. sctp is not offered: this kernel has
/// no sctp module, so the caller reports it as an error before it gets here.
public enum Transport: String, Sendable, Codable, CaseIterable {
    case tcp, udp
}

/// Which host addresses a published port answers on (netavark's `host_ip`).
public enum HostAddress: Hashable, Sendable, CustomStringConvertible {
    /// `""`: every local address of both families.
    case any
    /// `"0.0.0.0"` or `"::"`: every local address of that family, and only that family.
    case anyOf(IPAddress.Family)
    /// One local address.
    case address(IPAddress)

    /// Parses netavark's `host_ip`; nil when it is not an address.
    public init?(hostIP: String) {
        if hostIP.isEmpty {
            self = .any
            return
        }
        guard let address = IPAddress(hostIP) else { return nil }
        self = address.isUnspecified ? .anyOf(address.family) : .address(address)
    }

    /// The `host_ip` text this came from.
    public var description: String {
        switch self {
        case .any: ""
        case .anyOf(.ipv4): "0.0.0.0"
        case .anyOf(.ipv6): "::"
        case .address(let address): address.description
        }
    }
}

/// One published port range: host ports `hostPort..<hostPort+count` on `host` go to
/// container ports `containerPort..<containerPort+count`, shifted alike.
public struct PortForward: Hashable, Sendable {
    public var transport: Transport
    public var host: HostAddress
    public var hostPort: UInt16
    public var containerPort: UInt16
    public var count: UInt16

    public init(
        _ transport: Transport, host: HostAddress = .any, hostPort: UInt16,
        containerPort: UInt16, count: UInt16 = 1
    ) {
        self.transport = transport
        self.host = host
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.count = count
    }

    /// Both ranges must be non-empty, start above 0 and end at 65535 at the latest.
    func validate() throws(FirewallError) {
        let last = Int(count) - 1
        guard count >= 1, hostPort > 0, containerPort > 0,
            Int(hostPort) + last <= 65535, Int(containerPort) + last <= 65535
        else { throw .invalidPort(self) }
    }
}

/// How a network is kept apart from Ferry's other networks (netavark's `isolate` option).
public enum Isolation: String, Hashable, Sendable, Codable {
    /// Traffic may be forwarded to any other network.
    case off = "false"
    /// Traffic leaving this bridge for the bridge of another isolated (or strict) network
    /// is dropped; other networks stay reachable.
    case on = "true"
    /// Traffic leaving this bridge for any other network's bridge is dropped.
    case strict
}

/// A network's own rules: masquerade of its subnets' outgoing traffic and forwarding.
public struct NetworkRules: Hashable, Sendable {
    /// The network name; it names the network's chains, so it must be a plain identifier.
    public var name: String
    public var subnets: [IPNetwork]
    /// An internal network gets no NAT, no published ports and no way out.
    public var isInternal: Bool
    /// The bridge on the host; isolation matches traffic by the bridges it crosses.
    public var bridge: String
    public var isolation: Isolation

    public init(
        name: String, subnets: [IPNetwork], isInternal: Bool = false, bridge: String = "",
        isolation: Isolation = .off
    ) {
        self.name = name
        self.subnets = subnets.map(\.canonical)
        self.isInternal = isInternal
        self.bridge = bridge
        self.isolation = isolation
    }

    func validate() throws(FirewallError) {
        try FirewallNames.check(name, what: "network name", allowingDash: true)
        if subnets.isEmpty { throw .invalid("network \(name): no subnets") }
        if isolation != .off && bridge.isEmpty {
            throw .invalid("network \(name): isolation needs the bridge name")
        }
        // Bridge names go into rules in double quotes.
        let quotable = bridge.unicodeScalars.allSatisfy {
            $0.isASCII && $0.value > 0x20 && $0 != "\"" && $0 != "\\"
        }
        if !quotable || bridge.utf8.count > 15 {
            throw .invalid("network \(name): bridge name \"\(bridge)\" cannot go into a rule")
        }
    }
}

/// One container's share of one network: its addresses there and its published ports.
public struct ContainerRules: Hashable, Sendable {
    /// The container id; with the network name it names the container's chain.
    public var id: String
    public var network: String
    public var addresses: [IPAddress]
    public var ports: [PortForward]

    public init(id: String, network: String, addresses: [IPAddress], ports: [PortForward]) {
        self.id = id
        self.network = network
        self.addresses = addresses
        self.ports = ports
    }

    /// The container's address of `family`, if it has one.
    func address(_ family: IPAddress.Family) -> IPAddress? {
        addresses.first { $0.family == family }
    }

    func validate(on network: NetworkRules) throws(FirewallError) {
        if id.isEmpty { throw .invalid("container id is empty") }
        if network.isInternal && !ports.isEmpty {
            throw .invalid("network \(network.name) is internal: it cannot publish ports")
        }
        for port in ports {
            try port.validate()
            switch port.host {
            case .any:
                if addresses.isEmpty { throw .noContainerAddress(port, network: network.name) }
            case .anyOf(let family):
                if address(family) == nil { throw .noContainerAddress(port, network: network.name) }
            case .address(let host):
                if address(host.family) == nil {
                    throw .noContainerAddress(port, network: network.name)
                }
            }
        }
    }
}

/// Chain names are built from network names and container ids; nft takes them unquoted,
/// so they are restricted to letters, digits and `_ . -`.
enum FirewallNames {
    static func check(_ name: String, what: String, allowingDash: Bool)
        throws(FirewallError)
    {
        guard isPlain(name, allowingDash: allowingDash), name.utf8.count <= 120 else {
            throw .invalid(
                "\(what) \"\(name)\" cannot name a firewall chain "
                    + "(letters, digits, _ . \(allowingDash ? "- " : "")only, at most 120)")
        }
    }
}

extension FirewallNames {
    static func isPlain(_ name: String, allowingDash: Bool) -> Bool {
        let allowed = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."):
                true
            case UInt8(ascii: "-"): allowingDash
            default: false
            }
        }
        return allowed && !name.isEmpty && name.first != "."
    }

    /// A container id as a chain name: itself when it is plain (Podman's hex ids are), else
    /// a 64-bit FNV-1a digest of it, so any id works and the same id always gives the
    /// same chain. The dash stays the separator between id and network.
    static func containerKey(_ id: String) -> String {
        if isPlain(id, allowingDash: false) && id.utf8.count <= 64 { return id }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return "h_" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}
