import FerryWire

/// The bridge driver's network options (`podman network create -o KEY=VALUE`), parsed.
///
/// Keys and defaults follow netavark: mtu (0 or absent: take it from the default route),
/// metric (default 100), isolate, no_default_route, mode. Keys it does not know are ignored,
/// as netavark ignores them. vlan, vrf and outbound_addr4/6 are known but not supported.
struct BridgeOptions: Equatable {
    var mode: BridgeConfig.Mode = .managed
    var mtu: Int?
    var metric: UInt32 = 100
    var isolation: BridgeConfig.Isolation = .off
    var noDefaultRoute = false

    init(_ options: [String: String], network: String) throws(BridgeConfigError) {
        func invalid(_ key: String, _ expected: String) -> BridgeConfigError {
            .invalidOption(network: network, key: key, value: options[key]!, expected: expected)
        }

        if let value = options["mode"] {
            switch value {
            case "", "managed": mode = .managed
            case "unmanaged": mode = .unmanaged
            default: throw invalid("mode", "managed or unmanaged")
            }
        }

        let common = try LinkOptions(options, network: network)
        mtu = common.mtu
        metric = common.metric
        noDefaultRoute = common.noDefaultRoute

        if let value = options["isolate"] {
            guard let parsed = BridgeConfig.Isolation(rawValue: value) else {
                throw invalid("isolate", "true, false or strict")
            }
            isolation = parsed
        }

        try Self.rejectUnsupported(options, network: network)
    }

    /// Options netavark acts on that Ferry cannot honour: failing beats ignoring them.
    private static func rejectUnsupported(_ options: [String: String], network: String)
        throws(BridgeConfigError)
    {
        if let value = options["vlan"] {
            guard let vlan = Int(value), (0...4094).contains(vlan) else {
                throw .invalidOption(
                    network: network, key: "vlan", value: value,
                    expected: "an integer from 0 to 4094")
            }
            throw .unsupportedOption(
                network: network, key: "vlan", value: value,
                reason: "needs bridge VLAN filtering, which this kernel lacks")
        }
        for key in ["vrf", "outbound_addr4", "outbound_addr6"] {
            if let value = options[key] {
                throw .unsupportedOption(
                    network: network, key: key, value: value, reason: "is not supported")
            }
        }
    }
}

/// The options every link driver (bridge, macvlan) reads the same way: mtu (0 or absent
/// for the default), metric (default 100) and no_default_route.
struct LinkOptions: Equatable {
    var mtu: Int?
    var metric: UInt32 = 100
    var noDefaultRoute = false

    init(_ options: [String: String], network: String) throws(BridgeConfigError) {
        func invalid(_ key: String, _ expected: String) -> BridgeConfigError {
            .invalidOption(network: network, key: key, value: options[key]!, expected: expected)
        }

        if let value = options["mtu"] {
            guard let number = Int(value), number == 0 || (68...65535).contains(number) else {
                throw invalid("mtu", "an integer from 68 to 65535 (or 0 for the default)")
            }
            mtu = number == 0 ? nil : number
        }

        if let value = options["metric"] {
            guard let number = UInt32(value) else {
                throw invalid("metric", "a non-negative integer below 2^32")
            }
            metric = number
        }

        if let value = options["no_default_route"] {
            // Netavark parses this as a Rust bool, which takes only these two spellings.
            switch value {
            case "true": noDefaultRoute = true
            case "false": noDefaultRoute = false
            default: throw invalid("no_default_route", "true or false")
            }
        }
    }
}

extension BridgeConfig {
    /// The `ipam_options` driver; absent means host-local, as in netavark.
    static func ipamDriver(_ ipamOptions: [String: String], network: String)
        throws(BridgeConfigError) -> IPAMDriver
    {
        let name = ipamOptions["driver"] ?? "host-local"
        if let driver = IPAMDriver(rawValue: name) { return driver }
        if name == "dhcp" {
            throw .unsupportedIPAMDriver(
                network: network, driver: name, reason: "is not supported (the dhcp proxy is not)")
        }
        throw .unsupportedIPAMDriver(
            network: network, driver: name, reason: "is unknown (expected host-local or none)")
    }
}
