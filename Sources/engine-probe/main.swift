// engine-probe: runs FerryEngine's data path over a tap it creates in another network
// namespace, so the engine can be tested as root without the `ferry pasta` command line.
//
//   engine-probe --container NETNS_PATH [--tap NAME] [--mtu N] [--mac MAC]
//                [--container-mac MAC]
//                [--address4 A/P] [--gateway4 A] [--host4 A]
//                [--address6 A/P] [--gateway6 A] [--host6 A]
//                [--no-map-gw] [--plain-tap] [--map-guest ADDR]... [--dns-forward ADDR]...
//                [--dns-upstream ADDR]... [--dns ADDR]...
//                [--udp-idle SECONDS] [--udp-limit N]
//                [--tcp-forward [ADDR/]PORT[-LAST][:TARGET]]...
//                [--udp-forward [ADDR/]PORT[-LAST][:TARGET]]...
//
// It runs in the namespace it was started in (the "host"): it enters the container's
// namespace only to create the tap (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR with checksum and TSO
// offloads, as `ferry pasta` makes it; `--plain-tap`: without the header), returns, prints
// "ready <pid>" on standard output and runs the engine until killed. The process stays
// single-threaded throughout, so setns is safe and /proc/PID/task shows the engine's one
// thread. Addresses inside the container are configured by the caller (`ip netns exec ...`).
import CFerryShim
import FerryAddress
import FerryEngine
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension FileDescriptor {
    func writeAllIgnoringErrors(_ text: String) { try? writeAll(Array(text.utf8)) }
}

func fail(_ message: String) -> Never {
    writeStandardError("engine-probe: \(message)\n")
    exit(1)
}

func address(_ text: String) -> IPAddress {
    guard let value = IPAddress(text) else { fail("not an address: \(text)") }
    return value
}

func network(_ text: String) -> IPNetwork {
    guard let value = IPNetwork(text) else { fail("not ADDRESS/PREFIX: \(text)") }
    return value
}

func mac(_ text: String) -> MACAddress {
    guard let value = MACAddress(text) else { fail("not a MAC address: \(text)") }
    return value
}

/// The options, each with one value except the flags; a repeated option keeps them all.
struct Options {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []

    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let option = rest.popFirst() {
            if option == "--no-map-gw" || option == "--plain-tap" {
                flags.insert(option)
                continue
            }
            guard option.hasPrefix("--"), let value = rest.popFirst() else {
                fail("bad argument \(option)")
            }
            values[option, default: []].append(value)
        }
    }

    func one(_ option: String) -> String? { values[option]?.last }
    func all(_ option: String) -> [String] { values[option] ?? [] }
}

// A parent may have blocked signals (a test runner's threads do); SIGTERM must stop us.
var noSignals = sigset_t()
sigemptyset(&noSignals)
sigprocmask(SIG_SETMASK, &noSignals, nil)

let options = Options(Array(CommandLine.arguments.dropFirst()))
func one(_ option: String) -> String? { options.one(option) }

guard let containerPath = one("--container") else { fail("--container NETNS_PATH is needed") }
let tapName = one("--tap") ?? "tap0"
if let level = Log.level(fromEnvironment: [
    "FERRY_LOG": getenv("FERRY_LOG").map {
        String(cString: $0)
    } ?? "info"
]) {
    Log.level = level
}

func family(_ suffix: String) -> EngineConfig.Family? {
    guard let text = one("--address\(suffix)") else { return nil }
    let subnet = network(text)
    return EngineConfig.Family(
        address: subnet.address, prefixLength: subnet.prefixLength,
        gateway: one("--gateway\(suffix)").map(address),
        hostAddress: one("--host\(suffix)").map(address))
}

/// `[ADDR/]PORT[-LAST][:TARGET]`: one forwarded range (the full pasta syntax is
/// `ferry pasta`'s to resolve).
func forward(_ transport: EngineConfig.Forward.Transport, _ text: String) -> EngineConfig.Forward {
    var rest = Substring(text)
    var bound: IPAddress?
    if let slash = rest.lastIndex(of: "/") {
        bound = address(String(rest[..<slash]))
        rest = rest[rest.index(after: slash)...]
    }
    let sides = rest.split(separator: ":")
    let bounds = sides[0].split(separator: "-").map { UInt16($0) }
    guard let first = bounds.first ?? nil, let last = bounds.last ?? nil, first <= last,
        sides.count <= 2
    else { fail("not a forward: \(text)") }
    let target = sides.count == 2 ? UInt16(sides[1]) : first
    guard let target else { fail("not a forward: \(text)") }
    return EngineConfig.Forward(
        transport, address: bound, ports: first...last, targetFirst: target)
}

let config = EngineConfig(
    interfaceName: tapName, mtu: Int(one("--mtu") ?? "65520") ?? 65520,
    engineMAC: mac(one("--mac") ?? "9a:55:9a:55:9a:55"),
    containerMAC: one("--container-mac").map(mac),
    ipv4: family("4"), ipv6: family("6"), mapGateway: !options.flags.contains("--no-map-gw"),
    mapGuestAddress: options.all("--map-guest").map(address),
    dnsForward: options.all("--dns-forward").map(address),
    dnsUpstreams: options.all("--dns-upstream").map(address),
    dnsAdvertised: options.all("--dns").map(address),
    udpIdleTimeout: Int(one("--udp-idle") ?? "180") ?? 180,
    udpFlowLimit: Int(one("--udp-limit") ?? "4096") ?? 4096,
    forwards: options.all("--tcp-forward").map { forward(.tcp, $0) }
        + options.all("--udp-forward").map { forward(.udp, $0) })

// Create the tap inside the container's namespace, then come back.
let tap: FileDescriptor
do {
    let home = try FileDescriptor.open("/proc/self/ns/net", O_RDONLY)
    let container = try FileDescriptor.open(containerPath, O_RDONLY)
    guard ferry_setns(container.rawValue, FERRY_CLONE_NEWNET) == 0 else {
        throw SystemError.lastError("entering \(containerPath)")
    }
    tap = try FileDescriptor.open("/dev/net/tun", O_RDWR)
    let offloads: Int32 = options.flags.contains("--plain-tap") ? 0 : 1
    guard ferry_tun_set_tap(tap.rawValue, tapName, offloads) == 0 else {
        throw SystemError.lastError("creating tap \(tapName)")
    }
    guard ferry_setns(home.rawValue, FERRY_CLONE_NEWNET) == 0 else {
        throw SystemError.lastError("returning to the starting namespace")
    }
} catch {
    fail("\(error)")
}

let engine = Engine(config: config, tap: tap)
do {
    try engine.bindForwards()
} catch {
    fail("\(error)")
}
FileDescriptor(taking: dup(1)).writeAllIgnoringErrors("ready \(getpid())\n")
do {
    try engine.run()
} catch {
    fail("\(error)")
}
