// nft-probe: drives FerryFirewall from the command line, one request per run, so the
// firewall can be tested against a real kernel in namespaces the tests create (run it
// under `ip netns exec`). Everything goes through libnftables in this process.
//
//   nft-probe CONFIG setup NETWORK SUBNETS CONTAINER ADDRESSES [PORT...]
//   nft-probe CONFIG teardown NETWORK CONTAINER
//   nft-probe CONFIG reload
//   nft-probe CONFIG print-setup NETWORK SUBNETS CONTAINER ADDRESSES [PORT...]
//   nft-probe - list
//   nft-probe - run            (a batch of nft commands from stdin, applied as is)
//
// SUBNETS and ADDRESSES are comma-separated ("-" for none); NETWORK may end in ":internal".
// A PORT is PROTO/HOST_IP/HOST_PORT/CONTAINER_PORT[/RANGE], e.g. tcp//8080/80 or
// udp/0.0.0.0/9000/100/10. `list` prints the ruleset as JSON.
// Exit 0 on success; on failure the error on stderr and exit 1.
import FerryAddress
import FerryFirewall
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

func fail(_ message: String) -> Never {
    writeStandardError("nft-probe: \(message)\n")
    exit(1)
}

func list(_ text: String) -> [String] {
    text == "-" ? [] : text.split(separator: ",").map(String.init)
}

func port(_ text: String) -> PortForward {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 4 || parts.count == 5, let transport = Transport(rawValue: parts[0]),
        let host = HostAddress(hostIP: parts[1]), let hostPort = UInt16(parts[2]),
        let containerPort = UInt16(parts[3]), let count = UInt16(parts.count == 5 ? parts[4] : "1")
    else { fail("bad port \(text)") }
    return PortForward(
        transport, host: host, hostPort: hostPort, containerPort: containerPort, count: count)
}

func request(_ words: [String]) -> (NetworkRules, ContainerRules) {
    guard words.count >= 4 else { fail("setup needs NETWORK SUBNETS CONTAINER ADDRESSES") }
    let isInternal = words[0].hasSuffix(":internal")
    let name = isInternal ? String(words[0].dropLast(":internal".count)) : words[0]
    let subnets = list(words[1]).map { text in
        guard let subnet = IPNetwork(text) else { fail("bad subnet \(text)") }
        return subnet
    }
    let addresses = list(words[3]).map { text in
        guard let address = IPAddress(text) else { fail("bad address \(text)") }
        return address
    }
    let network = NetworkRules(name: name, subnets: subnets, isInternal: isInternal)
    let container = ContainerRules(
        id: words[2], network: name, addresses: addresses, ports: words.dropFirst(4).map(port))
    return (network, container)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else { fail("usage: nft-probe CONFIG COMMAND [ARGS]") }
let config = arguments[0]
let rest = Array(arguments.dropFirst(2))

do {
    switch (arguments[1], rest.count) {
    case ("setup", 4...):
        let (network, container) = request(rest)
        try Firewall(configDirectory: config).setup(network: network, container: container)
    case ("print-setup", 4...):
        let (network, container) = request(rest)
        let all = [NetworkState(network: network, containers: [container])]
        print(Firewall.setupBatch(all: all, network: network, container: container), terminator: "")
    case ("teardown", 2):
        try Firewall(configDirectory: config).teardown(network: rest[0], containerID: rest[1])
    case ("reload", 0):
        try Firewall(configDirectory: config).reload()
    case ("run", 0):
        var batch = ""
        while let line = readLine(strippingNewline: false) { batch += line }
        print(try NFTables().run(batch), terminator: "")
    case ("list", 0):
        print(try NFTables(json: true).run("list ruleset", operation: "listing"))
    default:
        fail("unknown command or wrong arguments: \(arguments.dropFirst().joined(separator: " "))")
    }
} catch {
    fail("\(error)")
}
