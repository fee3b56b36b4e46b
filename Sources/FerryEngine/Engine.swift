// Theory of operation
//
// The engine stands in for everything beyond the container's tap interface, the way pasta
// does: to the container it looks like a router on its link (answering ARP, neighbour
// discovery, DHCP and DHCPv6 as the gateway), and whatever the container sends to the wider
// world it carries through ordinary sockets of the user running it.
//
// One thread runs one epoll loop (`EventLoop`). Events:
// - the tap is readable: frames are read into the receive buffer one at a time (behind the
//   tap's virtio-net header, so a TCP frame may be a 64 KiB super-frame: Engine+Tap), parsed
//   in place by FerryPacket's views and handed to the protocol that owns them (Engine+ARP,
//   Engine+NDP, Engine+DHCP, Engine+ICMP, Engine+UDP); answers are built in the send buffer
//   and written back to the tap;
// - a flow's host socket is readable: a reply is read into the socket buffer and written to
//   the tap as a frame addressed as the container expects (AddressMap, FlowTable);
// - the timer, every 50 ms: TCP retransmissions and window updates; once a second idle
//   flows and half-closed spliced connections expire, and now and then a router
//   advertisement goes out unsolicited;
// - the quit descriptor (optional) is readable, or the tap goes away: `run` returns.
//
// The three buffers and both flow tables are allocated in `init`; the packet path allocates
// nothing, and logs only at debug level and below, through autoclosures that build no text
// unless that level is on. TCP (Engine+TCP, Engine+TCPSocket, Engine+TCPSegments) is
// translated, not terminated: see TCPConnection.swift.

import CFerryShim
import FerryAddress
import FerryPacket
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// The data path: one thread, one epoll loop, over a tap descriptor already open in the
/// container's namespace.
public final class Engine {
    public let config: EngineConfig
    let tap: FileDescriptor

    /// Room for the largest frame a tap can carry (64 KiB of IP plus headers, a TCP
    /// super-frame included, and its virtio-net header).
    static let bufferSize = 65536 + 256
    /// Frames read from the tap before looking at other descriptors again.
    static let tapBatch = 256
    /// Datagrams read from one host socket per wake-up.
    static let socketBatch = 32
    /// ICMP echo flows: how many at once and how long they live without traffic.
    static let icmpFlowLimit = 1024
    static let icmpIdleTimeout: UInt64 = 60
    /// Seconds between unsolicited router advertisements.
    static let routerAdvertisementInterval: UInt64 = 60
    /// Room for one batch of TCP segments peeked from a socket.
    static let tcpFramesSize = 1 << 20

    /// Bytes of virtio-net header in front of each frame on the tap (0: none, a plain tap).
    let tapHeaderSize: Int
    /// The header written in front of frames to the tap, and the two vectors of that write.
    let tapHeader: UnsafeMutableRawBufferPointer
    let tapVectors: UnsafeMutablePointer<iovec>
    /// The frame being handled came with a checksum its kernel left to offload or checked.
    var tapFrameChecksumTrusted = false

    let receiveBuffer: UnsafeMutableRawBufferPointer
    let sendBuffer: UnsafeMutableRawBufferPointer
    let socketBuffer: UnsafeMutableRawBufferPointer
    var sendBytes: PacketBytes { PacketBytes(sendBuffer) }

    let engineMAC: EthernetAddress
    /// The container's MAC: configured, or learned from the frames it sends.
    var containerMAC: EthernetAddress?
    let learnsContainerMAC: Bool

    let network4: IPNetwork?
    let network6: IPNetwork?
    /// The engine's own IPv6 link-local address: the gateway when it is link-local, else
    /// one derived from the engine's MAC.
    let linkLocal6: IPAddress
    let dhcpLease: DHCPLease?
    let dhcpv6Lease: DHCPv6Lease?
    let addressMap: AddressMap

    let udpFlows: FlowTable
    let icmpFlows: FlowTable
    let tcp: TCPConnectionTable
    /// Frame slots for segments peeked from TCP sockets, the I/O vectors pointing into
    /// them, and a scratch area for kernels without SO_PEEK_OFF.
    let tcpFrames: UnsafeMutableRawBufferPointer
    let tcpVectors: UnsafeMutablePointer<iovec>
    let tcpScratch: UnsafeMutableRawBufferPointer
    /// Whether SO_PEEK_OFF works on TCP sockets; nil until the first connection tries.
    var tcpPeekOffsetWorks: Bool?
    var loop: EventLoop?
    /// The forwarded ports' listening sockets, opened when `run` starts.
    var listeners: [ForwardListener] = []
    var forwardsBound = false
    /// A TCP listener was left unwatched because accept(2) ran out of descriptors; the next
    /// tick watches it again (Engine+Forward).
    var acceptsPaused = false
    /// Container-to-host forwarding (`-T`, `-U`) and the namespace helper behind it.
    let loopback = LoopbackForwards()
    /// `auto` forwarding's files and state, when an option is `auto`.
    var autoForwards: AutoForwards?
    /// Seconds on the monotonic clock, read once per wake-up.
    var now: UInt64 = 0
    var nowMilliseconds: UInt64 = 0
    var nextRouterAdvertisement: UInt64 = 0
    var warnedAboutPing = false
    var statistics = EngineStatistics()

    public init(config: EngineConfig, tap: FileDescriptor) {
        self.config = config
        self.tap = tap
        tapHeaderSize = max(0, Int(ferry_tap_vnet_header_size(tap.rawValue)))
        tapHeader = .allocate(byteCount: max(16, tapHeaderSize), alignment: 16)
        tapHeader.initializeMemory(as: UInt8.self, repeating: 0)
        tapVectors = .allocate(capacity: 2)
        receiveBuffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
        sendBuffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
        socketBuffer = .allocate(byteCount: Self.bufferSize, alignment: 16)

        engineMAC = EthernetAddress(config.engineMAC)
        containerMAC = config.containerMAC.map { EthernetAddress($0) }
        learnsContainerMAC = config.containerMAC == nil
        network4 = config.ipv4.flatMap {
            IPNetwork(address: $0.address, prefixLength: $0.prefixLength)
        }
        network6 = config.ipv6.flatMap {
            IPNetwork(address: $0.address, prefixLength: $0.prefixLength)
        }
        if let gateway = config.ipv6?.gateway, gateway.isLinkLocal {
            linkLocal6 = gateway
        } else {
            linkLocal6 = Self.linkLocal(for: EthernetAddress(config.engineMAC))
        }
        dhcpLease = Self.dhcpLease(config)
        dhcpv6Lease = config.ipv6.map {
            DHCPv6Lease(
                serverMAC: EthernetAddress(config.engineMAC),
                serverAddress: config.ipv6?.gateway.flatMap { $0.isLinkLocal ? $0 : nil }
                    ?? Self.linkLocal(for: EthernetAddress(config.engineMAC)),
                clientAddress: $0.address, dnsServers: config.dnsAdvertised)
        }
        addressMap = AddressMap(config)
        udpFlows = FlowTable(capacity: max(1, config.udpFlowLimit))
        icmpFlows = FlowTable(capacity: Self.icmpFlowLimit)
        tcp = TCPConnectionTable(capacity: max(1, config.tcpConnectionLimit))
        tcpFrames = .allocate(byteCount: Self.tcpFramesSize, alignment: 16)
        tcpVectors = .allocate(capacity: Self.tcpVectorLimit + 1)
        tcpScratch = .allocate(byteCount: Self.tcpFramesSize, alignment: 16)
    }

    deinit {
        tapHeader.deallocate()
        tapVectors.deallocate()
        receiveBuffer.deallocate()
        sendBuffer.deallocate()
        socketBuffer.deallocate()
        tcpFrames.deallocate()
        tcpVectors.deallocate()
        tcpScratch.deallocate()
    }

    /// Runs until the tap goes away or `quit` becomes readable (a pipe's far end closing, a
    /// pidfd, a timer checking the namespace) and `isGone` confirms it.
    public func run(quit: FileDescriptor? = nil, isGone: () -> Bool = { true }) throws {
        let flags = fcntl(tap.rawValue, F_GETFL)
        if flags < 0 || fcntl(tap.rawValue, F_SETFL, flags | O_NONBLOCK) < 0 {
            throw SystemError.lastError("making the tap non-blocking")
        }
        let loop = try EventLoop()
        self.loop = loop
        let timerFD = ferry_timerfd_periodic(Int32(Self.tcpTimerMilliseconds))
        guard timerFD >= 0 else { throw SystemError.lastError("creating the engine's timer") }
        let timer = FileDescriptor(taking: timerFD)
        try loop.add(tap.rawValue, tag: EventTag(.tap))
        try loop.add(timer.rawValue, tag: EventTag(.timer))
        if let quit { try loop.add(quit.rawValue, tag: EventTag(.quit)) }
        defer { closeForwards() }
        try bindForwards()
        try watchForwards(loop)

        updateClock()
        var lastTick = now
        routerAdvertise(to: nil)
        nextRouterAdvertisement = now + Self.routerAdvertisementInterval
        Log.info("engine", "running on tap \(config.interfaceName)")

        while true {
            // Spliced connections with more to do: look for events without waiting.
            let count = try loop.wait(timeout: loopback.splices.moreCount > 0 ? 0 : -1)
            updateClock()
            for index in 0..<count {
                let tag = loop.tag(at: index)
                let events = loop.events(at: index)
                switch tag.kind {
                case .tap:
                    let alive = tapReadable(events)
                    tcpFlushAcks()
                    if !alive {
                        Log.info("engine", "the tap is gone: stopping")
                        return
                    }
                case .timer:
                    var expirations: UInt64 = 0
                    _ = Glibc.read(timer.rawValue, &expirations, 8)
                    tcpTimer()
                    if now != lastTick {
                        lastTick = now
                        tick()
                    }
                case .quit:
                    if isGone() {
                        Log.info("engine", "the namespace is gone: stopping")
                        return
                    }
                case .udpFlow:
                    udpReceive(tag, events)
                case .icmpFlow:
                    icmpReceive(tag)
                case .tcpFlow:
                    tcpSocketEvent(tag, events)
                case .tcpListener:
                    tcpAccept(tag)
                case .udpListener:
                    udpForwardReceive(tag)
                case .splice:
                    spliceEvent(tag, events)
                case .namespaceListener:
                    namespaceAccept(tag)
                case .namespaceUDPListener:
                    namespaceUDPReceive(tag)
                case .loopbackUDPFlow:
                    loopbackUDPReply(tag)
                case nil:
                    break
                }
            }
            spliceContinue()
        }
    }

    /// Once a second: expire idle flows, advertise the router when due, and let `auto`
    /// look at the listening ports.
    func tick() {
        let idle = UInt64(max(1, config.udpIdleTimeout))
        let expired = udpFlows.expire(now: now, idle: idle)
        loopback.udpFlows.expire(now: now, idle: idle)
        spliceExpireHalfClosed()
        acceptsResume()
        autoForwardScan()
        icmpFlows.expire(now: now, idle: Self.icmpIdleTimeout)
        if expired > 0 { Log.debug("udp", "\(expired) idle flows expired") }
        if now >= nextRouterAdvertisement {
            routerAdvertise(to: nil)
            nextRouterAdvertisement = now + Self.routerAdvertisementInterval
        }
    }

    static func monotonicSeconds() -> UInt64 { ferry_monotonic_ns() / 1_000_000_000 }

    /// Reads the monotonic clock once per wake-up, in seconds and milliseconds.
    func updateClock() {
        let nanoseconds = ferry_monotonic_ns()
        now = nanoseconds / 1_000_000_000
        nowMilliseconds = nanoseconds / 1_000_000
    }

    /// fe80::/64 with the modified EUI-64 interface identifier of `mac` (RFC 4291 2.5.1).
    static func linkLocal(for mac: EthernetAddress) -> IPAddress {
        let value = mac.value
        let high24 = (value >> 24) ^ 0x02_0000
        let identifier = high24 << 40 | 0xFF_FE00_0000 | (value & 0xFF_FFFF)
        return .v6(0xFE80_0000_0000_0000, identifier)
    }

    static func dhcpLease(_ config: EngineConfig) -> DHCPLease? {
        guard let family = config.ipv4, let gateway = family.gateway else { return nil }
        return DHCPLease(
            serverMAC: EthernetAddress(config.engineMAC), serverAddress: gateway,
            clientAddress: family.address, prefixLength: family.prefixLength, router: gateway,
            dnsServers: config.dnsAdvertised, mtu: UInt16(clamping: config.mtu))
    }
}

/// Counters the engine keeps for debugging and tests.
struct EngineStatistics {
    var framesReceived = 0
    var framesDropped = 0
    var framesSent = 0
    /// Container data the host socket did not take whole (the window was too generous).
    var tcpShortWrites = 0
    var tcpRetransmits = 0
    /// Probes of a window the container closed (the persist timer).
    var tcpWindowProbes = 0
    /// ICMP errors for UDP flows relayed to the container.
    var icmpErrorsRelayed = 0
}
