import FerryAddress

#if canImport(Glibc)
    import Glibc
#endif

/// The `ferry pasta` command line (also the binary run as `pasta`), as Podman 5 passes it.
/// See docs/pasta.1.md.
public struct PastaOptions: Equatable, Sendable {
    /// Where the engine attaches: a process's namespaces, or a namespace file.
    public enum Target: Equatable, Sendable {
        case process(pid_t)
        case path(String)
    }

    public var target: Target?
    /// `--userns PATH`: the user namespace to join before the network namespace.
    public var userns: String?
    public var configureNetwork = false
    /// `-t`, `-u`: host ports forwarded into the container; `-T`, `-U`: the other way. As
    /// given: an option left out is empty here, and means `auto` (`effectiveTCPPorts`...).
    public var tcpPorts: [PortForwardSpec] = []
    public var udpPorts: [PortForwardSpec] = []
    public var tcpNamespacePorts: [PortForwardSpec] = []
    public var udpNamespacePorts: [PortForwardSpec] = []
    public var dnsForward: [IPAddress] = []
    public var mapGateway = true
    public var mapGuestAddress: [IPAddress] = []
    public var quiet = false
    public var debug = false
    public var pidFile: String?
    public var foreground = false
    public var mtu: Int?
    /// `-a`: at most one address per family.
    public var addresses: [IPAddress] = []
    /// `-n`: the IPv4 prefix length (given as bits or a dotted mask).
    public var prefixLength: Int?
    /// `-g`: at most one gateway per family.
    public var gateways: [IPAddress] = []
    public var ipv4Only = false
    public var ipv6Only = false
    /// `-i`: the host's template interface.
    public var templateInterface: String?
    /// `-I`: the tap's name in the container.
    public var namespaceInterface: String?
    public var namespaceMAC: MACAddress?
    /// `--resolv-conf PATH` (Ferry's own, for tests): where the host's resolvers are read.
    public var resolvConf: String?
    public var showHelp = false
    public var showVersion = false

    public init() {}

    /// The specs in force: those given, else `auto`, pasta's default for each option.
    public var effectiveTCPPorts: [PortForwardSpec] { tcpPorts.isEmpty ? [.auto] : tcpPorts }
    public var effectiveUDPPorts: [PortForwardSpec] { udpPorts.isEmpty ? [.auto] : udpPorts }
    public var effectiveTCPNamespacePorts: [PortForwardSpec] {
        tcpNamespacePorts.isEmpty ? [.auto] : tcpNamespacePorts
    }
    public var effectiveUDPNamespacePorts: [PortForwardSpec] {
        udpNamespacePorts.isEmpty ? [.auto] : udpNamespacePorts
    }

    static let table: [PastaOptionParser.Option] = [
        .init(long: "config-net", short: nil, takesArgument: false),
        .init(long: "tcp-ports", short: "t", takesArgument: true),
        .init(long: "udp-ports", short: "u", takesArgument: true),
        .init(long: "tcp-ns", short: "T", takesArgument: true),
        .init(long: "udp-ns", short: "U", takesArgument: true),
        .init(long: "dns-forward", short: nil, takesArgument: true),
        .init(long: "no-map-gw", short: nil, takesArgument: false),
        .init(long: "map-gw", short: nil, takesArgument: false),
        .init(long: "map-guest-addr", short: nil, takesArgument: true),
        .init(long: "quiet", short: "q", takesArgument: false),
        .init(long: "debug", short: "d", takesArgument: false),
        .init(long: "netns", short: nil, takesArgument: true),
        .init(long: "userns", short: nil, takesArgument: true),
        .init(long: "pid", short: "P", takesArgument: true),
        .init(long: "foreground", short: "f", takesArgument: false),
        .init(long: "mtu", short: "m", takesArgument: true),
        .init(long: "address", short: "a", takesArgument: true),
        .init(long: "netmask", short: "n", takesArgument: true),
        .init(long: "gateway", short: "g", takesArgument: true),
        .init(long: "ipv4-only", short: "4", takesArgument: false),
        .init(long: "ipv6-only", short: "6", takesArgument: false),
        .init(long: "interface", short: "i", takesArgument: true),
        .init(long: "ns-ifname", short: "I", takesArgument: true),
        .init(long: "ns-mac-addr", short: nil, takesArgument: true),
        .init(long: "resolv-conf", short: nil, takesArgument: true),
        .init(long: "help", short: "h", takesArgument: false),
        .init(long: "version", short: nil, takesArgument: false),
    ]

    /// Parses the arguments after the program name (and after `pasta` in `ferry pasta`).
    public static func parse(_ arguments: [String]) throws(PastaUsageError) -> PastaOptions {
        let parser = PastaOptionParser(options: table)
        let (occurrences, operands) = try parser.parse(arguments)
        var options = PastaOptions()
        for occurrence in occurrences {
            try options.apply(occurrence.key, occurrence.value ?? "")
        }
        if options.showHelp || options.showVersion { return options }
        try options.applyOperands(operands)
        try options.check()
        return options
    }

    private mutating func apply(_ key: String, _ value: String) throws(PastaUsageError) {
        let option = "'--\(key)'"
        func address(_ text: String) throws(PastaUsageError) -> IPAddress {
            guard let parsed = IPAddress(text) else {
                throw .invalidValue(option: option, value: text)
            }
            return parsed
        }
        switch key {
        case "config-net": configureNetwork = true
        case "tcp-ports": tcpPorts.append(try PortForwardSpec(parsing: value))
        case "udp-ports": udpPorts.append(try PortForwardSpec(parsing: value))
        case "tcp-ns": tcpNamespacePorts.append(try PortForwardSpec(parsing: value))
        case "udp-ns": udpNamespacePorts.append(try PortForwardSpec(parsing: value))
        case "dns-forward": dnsForward.append(try address(value))
        case "no-map-gw": mapGateway = false
        case "map-gw": mapGateway = true
        case "map-guest-addr":
            if value != "none" { mapGuestAddress.append(try address(value)) }
        case "quiet": quiet = true
        case "debug": debug = true
        case "netns": target = .path(value)
        case "userns": userns = value
        case "pid": pidFile = value
        case "foreground": foreground = true
        case "mtu":
            guard let parsed = Int(value), (68...65520).contains(parsed) else {
                throw .invalidValue(option: option, value: value)
            }
            mtu = parsed
        case "address": addresses.append(try address(value))
        case "netmask": prefixLength = try Self.prefixLength(value, option: option)
        case "gateway": gateways.append(try address(value))
        case "ipv4-only": ipv4Only = true
        case "ipv6-only": ipv6Only = true
        case "interface": templateInterface = value
        case "ns-ifname":
            guard !value.isEmpty, value.utf8.count < 16, !value.contains("/") else {
                throw .invalidValue(option: option, value: value)
            }
            namespaceInterface = value
        case "ns-mac-addr":
            guard let mac = MACAddress(value) else {
                throw .invalidValue(option: option, value: value)
            }
            namespaceMAC = mac
        case "resolv-conf": resolvConf = value
        case "help": showHelp = true
        case "version": showVersion = true
        default: preconditionFailure("option \(key) is in the table but not applied")
        }
    }

    /// `-n 24` or `-n 255.255.255.0`.
    static func prefixLength(_ text: String, option: String) throws(PastaUsageError) -> Int {
        if let bits = Int(text), (0...32).contains(bits) { return bits }
        guard let mask = IPAddress(text), mask.family == .ipv4 else {
            throw .invalidValue(option: option, value: text)
        }
        let value = mask.bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let ones = value.leadingZeroBitCount == 0 ? (~value).leadingZeroBitCount : 0
        guard value == 0 || (ones > 0 && value << ones == 0) else {
            throw .invalidValue(option: option, value: text)
        }
        return ones
    }

    /// The one operand: the PID whose namespaces to attach to.
    private mutating func applyOperands(_ operands: [String]) throws(PastaUsageError) {
        guard let first = operands.first else { return }
        guard operands.count == 1, let pid = pid_t(first), pid > 0 else {
            throw .target("running a command is not supported: give a PID or --netns PATH")
        }
        if target != nil {
            throw .conflicting("a PID and --netns cannot both be given")
        }
        target = .process(pid)
    }

    private func check() throws(PastaUsageError) {
        if target == nil {
            throw .target("no namespace to attach to: give a PID or --netns PATH")
        }
        if ipv4Only && ipv6Only {
            throw .conflicting("-4 and -6 cannot both be given")
        }
        for family in [IPAddress.Family.ipv4, .ipv6] {
            if addresses.filter({ $0.family == family }).count > 1 {
                throw .conflicting("more than one -a address for one family")
            }
            if gateways.filter({ $0.family == family }).count > 1 {
                throw .conflicting("more than one -g gateway for one family")
            }
        }
    }
}
