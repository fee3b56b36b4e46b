import Foundation

/// One network as netavark's `network_info` describes it, reduced to what the tests vary.
struct NetworkSpec: Sendable {
    struct Subnet: Sendable {
        var subnet: String
        var gateway: String?
    }

    /// A static route in `network_info.routes`; `type` is netavark's `route_type`
    /// (unicast when absent, else blackhole, unreachable or prohibit).
    struct Route: Sendable {
        var destination: String
        var gateway: String?
        var metric: Int?
        var type: String?
    }

    var name: String
    var bridge: String
    var subnets: [Subnet]
    var driver = "bridge"
    var isInternal = false
    var dnsEnabled = false
    var ipamDriver: String? = "host-local"
    var options: [String: String] = [:]
    var routes: [Route] = []

    init(name: String, bridge: String, subnets: [Subnet]) {
        self.name = name
        self.bridge = bridge
        self.subnets = subnets
    }

    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "name": name,
            "id": String(repeating: "f", count: 56) + String(name.utf8.count, radix: 16),
            "driver": driver,
            "network_interface": bridge,
            "created": "2026-01-01T00:00:00.000000000Z",
            "subnets": subnets.map { subnet -> [String: Any] in
                var entry: [String: Any] = ["subnet": subnet.subnet]
                if let gateway = subnet.gateway { entry["gateway"] = gateway }
                return entry
            },
            "ipv6_enabled": subnets.contains { $0.subnet.contains(":") },
            "internal": isInternal,
            "dns_enabled": dnsEnabled,
        ]
        if let ipamDriver { object["ipam_options"] = ["driver": ipamDriver] }
        if !options.isEmpty { object["options"] = options }
        if !routes.isEmpty {
            object["routes"] = routes.map { route -> [String: Any] in
                var entry: [String: Any] = ["destination": route.destination]
                if let gateway = route.gateway { entry["gateway"] = gateway }
                if let metric = route.metric { entry["metric"] = metric }
                if let type = route.type { entry["route_type"] = type }
                return entry
            }
        }
        return object
    }
}

/// How one container joins one network: netavark's per-network options.
struct Attachment: Sendable {
    var network: NetworkSpec
    var interfaceName: String
    var staticIPs: [String]
    var staticMAC: String?
    var options: [String: String] = [:]

    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "interface_name": interfaceName,
            "static_ips": staticIPs,
            "aliases": [String](),
        ]
        if let staticMAC { object["static_mac"] = staticMAC }
        if !options.isEmpty { object["options"] = options }
        return object
    }
}

/// The NetworkOptions JSON that Podman writes to the plugin's stdin for one container.
struct SetupSpec: Sendable {
    var containerName: String
    var attachments: [Attachment]
    var portMappings: [[String: String]] = []
    /// Networks named in `networks` whose `network_info` entry is left out on purpose.
    var omittedNetworkInfo: Set<String> = []

    init(container: String, _ attachments: [Attachment]) {
        self.containerName = container
        self.attachments = attachments
    }

    var json: String {
        var networks: [String: Any] = [:]
        var networkInfo: [String: Any] = [:]
        for attachment in attachments {
            networks[attachment.network.name] = attachment.jsonObject
            if !omittedNetworkInfo.contains(attachment.network.name) {
                networkInfo[attachment.network.name] = attachment.network.jsonObject
            }
        }
        var object: [String: Any] = [
            "container_id": String(repeating: "c", count: 52) + hexName,
            "container_name": containerName,
            "networks": networks,
            "network_info": networkInfo,
        ]
        if !portMappings.isEmpty {
            object["port_mappings"] = portMappings.map { mapping in
                mapping.mapValues { Int($0).map { $0 as Any } ?? ($0 as Any) }
            }
        }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Twelve hex digits derived from the container's name, so container ids differ.
    private var hexName: String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in containerName.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let text = String(hash, radix: 16)
        return String((String(repeating: "0", count: 12) + text).suffix(12))
    }
}
