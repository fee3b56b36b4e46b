import FerryBridge
import FerryWire
import Foundation
import Testing

/// One bad input and a distinctive part of the message it must produce.
struct BadInput: Sendable, CustomTestStringConvertible {
    let name: String
    let json: String
    let message: String

    init(_ name: String, _ message: String, _ change: (inout Spec) -> Void) {
        var spec = Spec()
        change(&spec)
        self.name = name
        self.json = spec.json
        self.message = message
    }

    init(_ name: String, _ message: String, json: String) {
        self.name = name
        self.json = json
        self.message = message
    }

    var testDescription: String { name }
}

/// Decodes and validates like `ferry setup`, returning the message of the first failure.
func failure(of json: String) -> String? {
    do {
        let options = try NetworkOptions.decode(Data(json.utf8))
        _ = try BridgeConfig.validateAll(options, rootless: false)
        return nil
    } catch {
        return "\(error)"
    }
}

private func opts(_ options: [String: String]) -> (inout Spec) -> Void {
    { $0.networkExtra = Spec.options(options) }
}

let decodingCases: [BadInput] = [
    BadInput("invalid JSON", "decoding network options: input is not valid JSON", json: "{"),
    BadInput("missing container_id", "decoding network options: missing field container_id") {
        $0.top = #""container_name":"ctr""#
    },
    BadInput(
        "container_id is a number", "decoding network options: container_id: expected a string"
    ) {
        $0.top = #""container_id":7,"container_name":"ctr""#
    },
    BadInput("container_name is null", "container_name: expected a string, found null") {
        $0.top = #""container_id":"c","container_name":null"#
    },
    BadInput("missing interface_name", "networks.net1: missing field interface_name") {
        $0.perNetwork = #""static_ips":["10.77.0.2"]"#
    },
    BadInput("internal is a string", "network_info.net1.internal: expected a boolean") {
        $0.flags = #""ipv6_enabled":false,"internal":"no","dns_enabled":false"#
    },
    BadInput("missing dns_enabled", "network_info.net1: missing field dns_enabled") {
        $0.flags = #""ipv6_enabled":false,"internal":false"#
    },
    BadInput("subnets is an object", "network_info.net1.subnets: expected an array") {
        $0.subnets = #"{"subnet":"10.77.0.0/24"}"#
    },
    BadInput(
        "prefix too long",
        "decoding network options: network_info.net1.subnets[0].subnet: "
            + #"invalid CIDR "10.77.0.0/33""#
    ) { $0.subnets = #"[{"subnet":"10.77.0.0/33"}]"# },
    BadInput("subnet without prefix", #"subnets[0].subnet: invalid CIDR "10.77.0.0""#) {
        $0.subnets = #"[{"subnet":"10.77.0.0"}]"#
    },
    BadInput("bad gateway", #"subnets[1].gateway: invalid IP address "10.78.0.300""#) {
        $0.subnets =
            #"[{"subnet":"10.77.0.0/24"},{"subnet":"10.78.0.0/24","gateway":"10.78.0.300"}]"#
    },
    BadInput("bad static ip", #"networks.net1.static_ips[0]: invalid IP address "10.77.0""#) {
        $0.perNetwork = #""interface_name":"eth0","static_ips":["10.77.0"]"#
    },
    BadInput(
        "bad static mac", #"networks.net1.static_mac: invalid MAC address "02:42:zz:00:00:01""#
    ) {
        $0.perNetwork =
            #""interface_name":"eth0","static_ips":["10.77.0.2"],"static_mac":"02:42:zz:00:00:01""#
    },
    BadInput("option value is a number", "network_info.net1.options.mtu: expected a string") {
        $0.networkExtra = #","options":{"mtu":1500}"#
    },
    BadInput(
        "networks is a string", "decoding network options: networks: expected an object",
        json: #"{"container_id":"c","container_name":"n","networks":"net1","network_info":{}}"#),
    BadInput(
        "network_info lacks a network",
        #"decoding network options: network_info: missing network "net1", which networks requests"#,
        json:
            #"{"container_id":"c","container_name":"n","networks":{"net1":{"interface_name":"e"}},"#
            + #""network_info":{}}"#),
    BadInput(
        "a network listed twice", #"networks[1]: network "net1" is listed twice"#,
        json: #"{"container_id":"c","container_name":"n","networks":[{"name":"net1","#
            + #""interface_name":"eth0"},{"name":"net1","interface_name":"eth1"}],"#
            + #""network_info":{}}"#
    ),
    BadInput("port out of range", "port_mappings[0].container_port: 70000 is out of range 0-65535")
    {
        $0.top +=
            #","port_mappings":[{"host_ip":"","container_port":70000,"host_port":80,"#
            + #""range":1,"protocol":"tcp"}]"#
    },
    BadInput("port is fractional", "port_mappings[0].host_port: expected an integer") {
        $0.top += #","port_mappings":[{"container_port":80,"host_port":80.5}]"#
    },
    BadInput("bad route type", #"routes[0].route_type: invalid route type "sideways""#) {
        $0.networkExtra = #","routes":[{"destination":"10.9.0.0/16","route_type":"sideways"}]"#
    },
    BadInput("bad dns server", #"dns_servers[1]: invalid IP address "dns.example""#) {
        $0.top += #","dns_servers":["10.77.0.1","dns.example"]"#
    },
]

let validationCases: [BadInput] = [
    BadInput(
        "mtu below 68", #"network net1: invalid option mtu="10": expected an integer from 68"#,
        opts(["mtu": "10"])),
    BadInput("mtu above 65535", #"invalid option mtu="65536""#, opts(["mtu": "65536"])),
    BadInput("mtu not a number", #"invalid option mtu="big""#, opts(["mtu": "big"])),
    BadInput(
        "metric negative", #"network net1: invalid option metric="-1": expected a non-negative"#,
        opts(["metric": "-1"])),
    BadInput("metric not a number", #"invalid option metric="low""#, opts(["metric": "low"])),
    BadInput(
        "isolate unknown", #"invalid option isolate="maybe": expected true, false or strict"#,
        opts(["isolate": "maybe"])),
    BadInput(
        "no_default_route unknown",
        #"invalid option no_default_route="yes": expected true or false"#,
        opts(["no_default_route": "yes"])),
    BadInput(
        "no_default_route as 1", #"invalid option no_default_route="1""#,
        opts(["no_default_route": "1"])),
    BadInput(
        "mode unknown", #"invalid option mode="bridged": expected managed or unmanaged"#,
        opts(["mode": "bridged"])),
    BadInput(
        "vlan valid but unsupported",
        #"network net1: option vlan="5" needs bridge VLAN filtering, which this kernel lacks"#,
        opts(["vlan": "5"])),
    BadInput(
        "vlan out of range", #"invalid option vlan="4095": expected an integer from 0 to 4094"#,
        opts(["vlan": "4095"])),
    BadInput("vlan not a number", #"invalid option vlan="ten""#, opts(["vlan": "ten"])),
    BadInput("vrf", #"network net1: option vrf="blue" is not supported"#, opts(["vrf": "blue"])),
    BadInput(
        "outbound address", #"option outbound_addr4="10.0.0.9" is not supported"#,
        opts(["outbound_addr4": "10.0.0.9"])),
    BadInput("ipam dhcp", #"network net1: ipam driver "dhcp" is not supported"#) {
        $0.networkExtra = #","ipam_options":{"driver":"dhcp"}"#
    },
    BadInput("ipam unknown", #"ipam driver "static" is unknown (expected host-local or none)"#) {
        $0.networkExtra = #","ipam_options":{"driver":"static"}"#
    },
    BadInput(
        "driver macvlan", #"network net1: driver "macvlan" is not handled by the bridge driver"#
    ) {
        $0.driver = #""macvlan""#
    },
    BadInput("no bridge name", "network net1: no bridge interface name given") {
        $0.networkInterface = ""
    },
    BadInput(
        "bridge name too long",
        #"invalid bridge interface name "fy-bridge-is-too-long": longer than 15 bytes"#
    ) {
        $0.networkInterface = #","network_interface":"fy-bridge-is-too-long""#
    },
    BadInput(
        "container name empty", #"network net1: invalid container interface name "": it is empty"#
    ) {
        $0.perNetwork = #""interface_name":"","static_ips":["10.77.0.2"]"#
    },
    BadInput("container name 16 bytes", #"interface name "eth0123456789abc": longer than 15 bytes"#)
    {
        $0.perNetwork = #""interface_name":"eth0123456789abc","static_ips":["10.77.0.2"]"#
    },
    BadInput(
        "container name with slash", #"invalid container interface name "eth/0": contains '/'"#
    ) {
        $0.perNetwork = #""interface_name":"eth/0","static_ips":["10.77.0.2"]"#
    },
    BadInput("container name with colon", #"interface name "eth0:1": contains ':'"#) {
        $0.perNetwork = #""interface_name":"eth0:1","static_ips":["10.77.0.2"]"#
    },
    BadInput("container name with space", #"interface name "eth 0": contains whitespace"#) {
        $0.perNetwork = #""interface_name":"eth 0","static_ips":["10.77.0.2"]"#
    },
    BadInput("container name dot dot", #"interface name "..": reserved name"#) {
        $0.perNetwork = #""interface_name":"..","static_ips":["10.77.0.2"]"#
    },
    BadInput(
        "host interface name invalid",
        #"network net1: invalid host interface name "veth/x": contains '/'"#
    ) {
        $0.perNetwork =
            #""interface_name":"eth0","static_ips":["10.77.0.2"],"#
            + #""options":{"host_interface_name":"veth/x"}"#
    },
    BadInput(
        "interface name used twice",
        #"interface name "eth0" is used by both network net1 and network net2"#
    ) {
        $0.more = [
            Spec.network(
                name: "net2", interface: "eth0", bridge: "fy-br1", subnet: "10.78.0.0/24",
                address: "10.78.0.2")
        ]
    },
    BadInput(
        "static ip outside subnets",
        "network net1: static ip 10.99.0.2 is not inside any of its subnets"
    ) {
        $0.perNetwork = #""interface_name":"eth0","static_ips":["10.99.0.2"]"#
    },
    BadInput("static ip is the gateway", "static ip 10.77.0.1 is the subnet's gateway") {
        $0.perNetwork = #""interface_name":"eth0","static_ips":["10.77.0.1"]"#
    },
    BadInput(
        "static ip is the network address", "static ip 10.77.0.0 is the subnet's network address"
    ) {
        $0.perNetwork = #""interface_name":"eth0","static_ips":["10.77.0.0"]"#
    },
    BadInput("no static ips", "network net1: no static ips given for ipam driver host-local") {
        $0.perNetwork = #""interface_name":"eth0""#
    },
    BadInput(
        "gateway outside subnet",
        "network net1: gateway 10.78.0.1 is not inside its subnet 10.77.0.0/24"
    ) {
        $0.subnets = #"[{"subnet":"10.77.0.0/24","gateway":"10.78.0.1"}]"#
    },
    BadInput("gateway of other family", "gateway fd00::1 is not inside its subnet 10.77.0.0/24") {
        $0.subnets = #"[{"subnet":"10.77.0.0/24","gateway":"fd00::1"}]"#
    },
    BadInput("overlapping subnets", "network net1: subnets 10.77.0.0/24 and 10.77.0.128/25 overlap")
    {
        $0.subnets = #"[{"subnet":"10.77.0.0/24"},{"subnet":"10.77.0.128/25"}]"#
    },
    BadInput("unicast route without gateway", "network net1: route to 10.9.0.0/16 needs a gateway")
    {
        $0.networkExtra = #","routes":[{"destination":"10.9.0.0/16"}]"#
    },
    BadInput(
        "blackhole route with gateway",
        "route to 10.9.0.0/16 must not have a gateway (10.77.0.1) for route type blackhole"
    ) {
        $0.networkExtra =
            #","routes":[{"destination":"10.9.0.0/16","gateway":"10.77.0.1","#
            + #""route_type":"blackhole"}]"#
    },
    BadInput(
        "route families differ",
        "route to fd09::/64 has a gateway 10.77.0.1 of the other address family"
    ) {
        $0.networkExtra = #","routes":[{"destination":"fd09::/64","gateway":"10.77.0.1"}]"#
    },
    BadInput(
        "multicast static mac",
        "network net1: static mac 03:42:ac:11:00:02 cannot be used: it is a multicast address"
    ) {
        $0.perNetwork =
            #""interface_name":"eth0","static_ips":["10.77.0.2"],"static_mac":"03:42:ac:11:00:02""#
    },
    BadInput("sctp port", "published port sctp :8080 -> 80: sctp is not supported") {
        $0.top +=
            #","port_mappings":[{"host_ip":"","container_port":80,"host_port":8080,"#
            + #""range":1,"protocol":"sctp"}]"#
    },
    BadInput("unknown protocol", "unknown protocol \"icmp\" (expected tcp or udp)") {
        $0.top +=
            #","port_mappings":[{"host_ip":"","container_port":80,"host_port":8080,"#
            + #""range":1,"protocol":"icmp"}]"#
    },
    BadInput("host_ip not an address", "host_ip \"localhost\" is not an IP address") {
        $0.top +=
            #","port_mappings":[{"host_ip":"localhost","container_port":80,"host_port":8080,"#
            + #""range":1,"protocol":"tcp"}]"#
    },
    BadInput("port range past 65535", "the range must fit below 65536") {
        $0.top +=
            #","port_mappings":[{"host_ip":"","container_port":80,"host_port":65530,"#
            + #""range":10,"protocol":"udp"}]"#
    },
]

@Suite struct BadInputTests {
    @Test(arguments: decodingCases)
    func decodingFails(_ input: BadInput) throws {
        let data = Data(input.json.utf8)
        #expect(throws: WireError.self) { try NetworkOptions.decode(data) }
        let message = try #require(failure(of: input.json))
        #expect(message.contains(input.message), "got: \(message)")
        // Messages speak JSON, not Swift.
        for word in ["Swift", "Optional", "Dictionary", "Array", "String", "Int", "Bool", "Index "]
        {
            #expect(!message.contains(word), "got: \(message)")
        }
    }

    @Test(arguments: validationCases)
    func validationFails(_ input: BadInput) throws {
        _ = try NetworkOptions.decode(Data(input.json.utf8))
        let message = try #require(failure(of: input.json))
        #expect(message.contains(input.message), "got: \(message)")
    }

    @Test func baseSpecIsValid() throws {
        #expect(failure(of: Spec().json) == nil)
    }
}
