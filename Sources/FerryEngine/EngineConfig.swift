import FerryAddress

/// Everything the data path needs to know, settled before the loop starts.
///
/// The command line (`ferry pasta ...`) fills this in from its options and from the host's
/// template interface; the data path never reads options or the host's configuration.
public struct EngineConfig: Sendable, Equatable {
    /// One address family as the container sees it.
    public struct Family: Sendable, Equatable {
        /// The container's address (copied from the host's template interface, or `-a`).
        public var address: IPAddress
        public var prefixLength: Int
        /// The container's default gateway (the host's gateway, or `-g`). For IPv6 this is
        /// usually a link-local address.
        public var gateway: IPAddress?
        /// The host's own address in this family, which the container shadows: traffic to
        /// `mapGuestAddress` reaches it.
        public var hostAddress: IPAddress?

        public init(
            address: IPAddress, prefixLength: Int, gateway: IPAddress?, hostAddress: IPAddress?
        ) {
            self.address = address
            self.prefixLength = prefixLength
            self.gateway = gateway
            self.hostAddress = hostAddress
        }
    }

    /// The tap's name inside the container (`-I`, default: the host's template interface
    /// name).
    public var interfaceName: String
    public var mtu: Int
    /// The MAC the engine answers with (the gateway's, as the container sees it).
    public var engineMAC: MACAddress
    /// `--ns-mac-addr`: the container's MAC when set; else learned from its frames.
    public var containerMAC: MACAddress?
    public var ipv4: Family?
    public var ipv6: Family?
    /// Traffic to the gateway address reaches the host's loopback, unless `--no-map-gw`.
    public var mapGateway: Bool
    /// `--map-guest-addr ADDR`: traffic to ADDR reaches the host's own address.
    public var mapGuestAddress: [IPAddress]
    /// `--dns-forward ADDR`: DNS sent to ADDR goes to `dnsUpstreams`.
    public var dnsForward: [IPAddress]
    /// The host's resolvers (from its resolv.conf, or from an option in tests).
    public var dnsUpstreams: [IPAddress]
    /// The DNS servers DHCP, DHCPv6 and router advertisements hand out.
    public var dnsAdvertised: [IPAddress]
    /// Idle UDP flows expire after this many seconds.
    public var udpIdleTimeout: Int
    /// A spliced `-T` connection half-closed (one side ended its stream) and idle for this
    /// many seconds is closed. Not a command-line option: tests shorten it through
    /// FERRY_SPLICE_HALF_CLOSED_TIMEOUT.
    public var spliceHalfClosedTimeout = 60
    /// At most this many UDP flows; the oldest idle ones are evicted first.
    public var udpFlowLimit: Int
    /// At most this many TCP connections; a SYN beyond them is answered with a RST.
    public var tcpConnectionLimit: Int
    /// Host ports forwarded into the container (`-t`, `-u`), resolved to concrete ranges.
    public var forwards: [Forward]
    /// Container loopback ports forwarded to the host's loopback (`-T`, `-U`): `ports` are
    /// the container's, `target` the host's; `address` is nil (both loopbacks) or one of
    /// 127.0.0.1 and ::1.
    public var namespaceForwards: [Forward]
    /// The options given as `auto`.
    public var autoForward: AutoForward

    public init(
        interfaceName: String, mtu: Int, engineMAC: MACAddress, containerMAC: MACAddress? = nil,
        ipv4: Family?, ipv6: Family?, mapGateway: Bool = true, mapGuestAddress: [IPAddress] = [],
        dnsForward: [IPAddress] = [], dnsUpstreams: [IPAddress] = [],
        dnsAdvertised: [IPAddress] = [], udpIdleTimeout: Int = 180, udpFlowLimit: Int = 4096,
        tcpConnectionLimit: Int = 4096, forwards: [Forward] = [],
        namespaceForwards: [Forward] = [], autoForward: AutoForward = AutoForward()
    ) {
        self.interfaceName = interfaceName
        self.mtu = mtu
        self.engineMAC = engineMAC
        self.containerMAC = containerMAC
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.mapGateway = mapGateway
        self.mapGuestAddress = mapGuestAddress
        self.dnsForward = dnsForward
        self.dnsUpstreams = dnsUpstreams
        self.dnsAdvertised = dnsAdvertised
        self.udpIdleTimeout = udpIdleTimeout
        self.udpFlowLimit = udpFlowLimit
        self.tcpConnectionLimit = tcpConnectionLimit
        self.forwards = forwards
        self.namespaceForwards = namespaceForwards
        self.autoForward = autoForward
    }

    /// Whether the engine needs a helper inside the container's namespaces after the tap:
    /// for sockets there (`-T`, `-U`) or to read its listening ports (`auto`).
    public var needsNamespaceHelper: Bool {
        !namespaceForwards.isEmpty || autoForward.isEnabled
    }
}
