import FerryAddress
import FerrySystem

/// A slirp4netns network's settings, as Podman 4 reads them from `--network
/// slirp4netns:KEY=VALUE,...`: containers.conf's `[engine] network_cmd_options` first, then
/// the network's own `options`, a later key replacing an earlier one.
struct Slirp4netnsOptions: Equatable {
    /// Podman's MTU for slirp4netns, larger than slirp4netns's own default of 1500.
    static let defaultMTU = 65520
    static let defaultCIDR = IPNetwork("10.0.2.0/24")!

    var mtu = Self.defaultMTU
    /// Nil: slirp4netns's default, 10.0.2.0/24, and no `--cidr` on its command line.
    var cidr: IPNetwork?
    var enableIPv6 = true
    var allowHostLoopback = false
    var outboundAddress: String?
    var outboundAddress6: String?
    /// "slirp4netns" or "rootlessport"; Ferry publishes ports through slirp4netns either way.
    var portHandler = "rootlessport"

    /// The network, with the container at base+100, the gateway at base+2 and the DNS
    /// forwarder at base+3, as slirp4netns places them.
    var network: IPNetwork { (cidr ?? Self.defaultCIDR).canonical }
    var containerAddress: IPAddress { network.network.adding(100) }
    var gateway: IPAddress { network.network.adding(2) }
    var dnsServer: IPAddress { network.network.adding(3) }

    /// Reads `configured` ("KEY=VALUE" words) then `network`'s entries; an unknown key or
    /// a bad value is an error naming where it came from.
    static func parse(configured: [String], network: [String: String]) throws(MessageError)
        -> Slirp4netnsOptions
    {
        var options = Slirp4netnsOptions()
        for word in configured {
            guard let equals = word.firstIndex(of: "=") else {
                throw MessageError(
                    "network_cmd_options entry \"\(word)\": expected KEY=VALUE")
            }
            let key = String(word[..<equals])
            let value = String(word[word.index(after: equals)...])
            try options.set(key, value, source: "network_cmd_options")
        }
        for (key, value) in network.sorted(by: { $0.key < $1.key }) {
            try options.set(key, value, source: "the network's options")
        }
        return options
    }

    private mutating func set(_ key: String, _ value: String, source: String)
        throws(MessageError)
    {
        func invalid(_ why: String) -> MessageError {
            MessageError("slirp4netns option \(key)=\"\(value)\" (from \(source)): \(why)")
        }
        func flag() throws(MessageError) -> Bool {
            guard let parsed = Bool(value) else { throw invalid("expected true or false") }
            return parsed
        }
        switch key {
        case "mtu":
            // The range is slirp4netns's to check: its own message says what it takes.
            guard let parsed = Int(value) else { throw invalid("expected a number") }
            mtu = parsed
        case "cidr":
            guard let parsed = IPNetwork(value), parsed.family == .ipv4 else {
                throw invalid("expected an IPv4 network such as 10.0.2.0/24")
            }
            // The container sits at base+100, which must lie inside the network.
            guard parsed.prefixLength <= 25 else {
                throw invalid("the network is too small for the container at base+100")
            }
            cidr = parsed
        case "enable_ipv6":
            enableIPv6 = try flag()
        case "allow_host_loopback":
            allowHostLoopback = try flag()
        case "outbound_addr":
            outboundAddress = value
        case "outbound_addr6":
            outboundAddress6 = value
        case "port_handler":
            guard value == "slirp4netns" || value == "rootlessport" else {
                throw invalid("expected slirp4netns or rootlessport")
            }
            portHandler = value
        default:
            throw MessageError(
                "slirp4netns option \"\(key)\" (from \(source)) is unknown: expected mtu,"
                    + " cidr, enable_ipv6, allow_host_loopback, outbound_addr,"
                    + " outbound_addr6 or port_handler")
        }
    }
}

/// What a slirp4netns binary offers, read from its `--help` as Podman does.
struct Slirp4netnsFeatures: Equatable {
    var sandbox = false
    var seccomp = false
    var mtu = false
    var cidr = false
    var disableHostLoopback = false
    var ipv6 = false
    var outboundAddress = false
    var netnsTypePath = false
    var apiSocket = false

    init(help: String) {
        sandbox = help.contains("--enable-sandbox")
        seccomp = help.contains("--enable-seccomp")
        mtu = help.contains("--mtu")
        cidr = help.contains("--cidr")
        disableHostLoopback = help.contains("--disable-host-loopback")
        ipv6 = help.contains("--enable-ipv6")
        outboundAddress = help.contains("--outbound-addr")
        netnsTypePath = help.contains("--netns-type")
        apiSocket = help.contains("--api-socket")
    }
}

extension Slirp4netnsOptions {
    /// The command line, in Podman 4's order: the ready pipe on `readyDescriptor`, the API
    /// socket when ports are published, the namespace by path, and the tap's name.
    func arguments(
        features: Slirp4netnsFeatures, readyDescriptor: Int32, apiSocket: String?,
        namespacePath: String, interfaceName: String
    ) throws(MessageError) -> [String] {
        func require(_ offered: Bool, _ option: String) throws(MessageError) {
            if !offered {
                throw MessageError("this slirp4netns does not offer \(option) (see its --help)")
            }
        }
        var words: [String] = []
        if !allowHostLoopback && features.disableHostLoopback {
            words.append("--disable-host-loopback")
        }
        if features.mtu { words.append("--mtu=\(mtu)") }
        if features.sandbox { words.append("--enable-sandbox") }
        if features.seccomp { words.append("--enable-seccomp") }
        if let cidr {
            try require(features.cidr, "--cidr")
            words.append("--cidr=\(cidr.canonical)")
        }
        if enableIPv6 {
            try require(features.ipv6, "--enable-ipv6")
            words.append("--enable-ipv6")
        }
        if let outboundAddress {
            try require(features.outboundAddress, "--outbound-addr")
            words.append("--outbound-addr=\(outboundAddress)")
        }
        if let outboundAddress6 {
            try require(features.outboundAddress, "--outbound-addr6")
            words.append("--outbound-addr6=\(outboundAddress6)")
        }
        words += ["-c", "-r", "\(readyDescriptor)"]
        if let apiSocket {
            try require(features.apiSocket, "--api-socket")
            words += ["--api-socket", apiSocket]
        }
        try require(features.netnsTypePath, "--netns-type")
        words += ["--netns-type=path", namespacePath, interfaceName]
        return words
    }
}
