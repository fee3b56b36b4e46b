// netlink-probe: drives FerryNetlink from the command line, one request per run, so the
// netlink layer can be tested against a real kernel in namespaces the tests create.
//
//   netlink-probe links | addresses | routes
//   netlink-probe bridge-add NAME [MTU]
//   netlink-probe veth-add PEER_NAME NETNS_PATH [HOST_NAME]
//   netlink-probe address-add IFNAME CIDR
//   netlink-probe route-add DESTINATION [GATEWAY] [unreachable|blackhole|prohibit]
//   netlink-probe link-del IFNAME
//
// Exit 0 on success; on failure the error on stderr and exit 1.
import FerryAddress
import FerryNetlink
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

func fail(_ message: String) -> Never {
    writeStandardError("netlink-probe: \(message)\n")
    exit(1)
}

func link(_ socket: NetlinkSocket, _ name: String) throws -> Link {
    guard let link = try socket.linkGet(name: name) else { fail("no link named \(name)") }
    return link
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("usage: netlink-probe COMMAND [ARGS]") }
let rest = Array(arguments.dropFirst())

do {
    let socket = try NetlinkSocket()
    switch (command, rest.count) {
    case ("links", 0):
        for link in try socket.linkList() {
            print(
                "\(link.index) \(link.name) kind=\(link.kind ?? "-") mtu=\(link.mtu)"
                    + " mac=\(link.mac?.description ?? "-") master=\(link.masterIndex)"
                    + " up=\(link.isUp)")
        }
    case ("addresses", 0):
        for address in try socket.addressList() { print("\(address.index) \(address.network)") }
    case ("routes", 0):
        for route in try socket.routeList() where route.table == 254 {
            print("\(route.description) dev=\(route.outputIndex) scope=\(route.scope)")
        }
    case ("bridge-add", 1), ("bridge-add", 2):
        try socket.linkAddBridge(name: rest[0], mtu: rest.count == 2 ? Int(rest[1]) : nil)
    case ("veth-add", 2), ("veth-add", 3):
        let namespace = try NetworkNamespace(path: rest[1])
        let peer = VethPeer(
            name: rest[0], mac: nil, mtu: nil, namespaceDescriptor: namespace.descriptor.rawValue)
        try socket.linkAddVeth(
            hostName: rest.count == 3 ? rest[2] : nil, mtu: nil, masterIndex: nil, peer: peer)
    case ("address-add", 2):
        guard let network = IPNetwork(rest[1]) else { fail("bad CIDR \(rest[1])") }
        try socket.addressAdd(
            index: try link(socket, rest[0]).index, network, interfaceName: rest[0])
    case ("route-add", 1...3):
        guard let destination = IPNetwork(rest[0]) else { fail("bad CIDR \(rest[0])") }
        var route = NetlinkRoute(destination: destination)
        for word in rest.dropFirst() {
            switch word {
            case "unreachable": route.kind = .unreachable
            case "blackhole": route.kind = .blackhole
            case "prohibit": route.kind = .prohibit
            default:
                guard let gateway = IPAddress(word) else { fail("bad gateway \(word)") }
                route.gateway = gateway
            }
        }
        route = NetlinkRoute(kind: route.kind, destination: destination, gateway: route.gateway)
        try socket.routeAdd(route)
    case ("link-del", 1):
        let target = try link(socket, rest[0])
        try socket.linkDel(index: target.index, name: target.name)
    default:
        fail("unknown command or wrong arguments: \(arguments.joined(separator: " "))")
    }
} catch {
    fail("\(error)")
}
