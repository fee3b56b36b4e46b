import Foundation

/// Builds the JSON of a one-network setup call, with the parts a test changes replaced.
///
/// Every argument is a raw JSON fragment, so a test can also write what no Swift type
/// would produce (wrong types, nulls, bad addresses).
struct Spec {
    var top = #""container_id":"c0ffee","container_name":"ctr""#
    var perNetwork = #""interface_name":"eth0","static_ips":["10.77.0.2"]"#
    var driver = #""bridge""#
    var networkInterface = #","network_interface":"fy-br0""#
    var subnets = #"[{"subnet":"10.77.0.0/24","gateway":"10.77.0.1"}]"#
    var flags = #""ipv6_enabled":false,"internal":false,"dns_enabled":false"#
    var networkExtra = ""
    /// Extra networks: name, per-network fields, network_info fields after name.
    var more: [(String, String, String)] = []

    static func options(_ options: [String: String]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: options, options: [.sortedKeys])
        return #","options":"# + String(decoding: data, as: UTF8.self)
    }

    static func network(
        name: String, interface: String, bridge: String, subnet: String, address: String
    ) -> (String, String, String) {
        (
            name, #""interface_name":"\#(interface)","static_ips":["\#(address)"]"#,
            #""id":"i2","driver":"bridge","network_interface":"\#(bridge)","#
                + #""subnets":[{"subnet":"\#(subnet)"}],"#
                + #""ipv6_enabled":false,"internal":false,"dns_enabled":false"#
        )
    }

    var json: String {
        var networks = #""net1":{\#(perNetwork)}"#
        var info =
            #""net1":{"name":"net1","id":"i1","driver":\#(driver)\#(networkInterface),"#
            + #""subnets":\#(subnets),\#(flags)\#(networkExtra)}"#
        for (name, perNetwork, fields) in more {
            networks += #","\#(name)":{\#(perNetwork)}"#
            info += #","\#(name)":{"name":"\#(name)",\#(fields)}"#
        }
        return #"{\#(top),"networks":{\#(networks)},"network_info":{\#(info)}}"#
    }

    var data: Data { Data(json.utf8) }
}
