import Foundation
import Testing

/// A spec that must be rejected, and how it is made from a good one.
struct BadInput: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable (Lab) -> String

    var testDescription: String { name }

    /// A bad input made by changing the good single-network spec.
    static func changing(
        _ name: String, _ change: @escaping @Sendable (inout Attachment) -> Void
    ) -> BadInput {
        BadInput(name: name) { lab in
            var attachment = lab.dualStackNetwork().attach(host: 2)
            change(&attachment)
            return SetupSpec(container: "c1", [attachment]).json
        }
    }

    static func option(_ key: String, _ value: String) -> BadInput {
        changing("option \(key)=\(value)") { $0.network.options[key] = value }
    }

    static let all: [BadInput] = [
        changing("interface name too long") { $0.interfaceName = "eth0123456789abcd" },
        changing("interface name with a slash") { $0.interfaceName = "eth/0" },
        changing("interface name with a colon") { $0.interfaceName = "eth:0" },
        changing("empty interface name") { $0.interfaceName = "" },
        changing("static IP outside its subnet") { $0.staticIPs[0] = "10.89.0.5" },
        changing("static IP not an address") { $0.staticIPs[0] = "10.88.0.300" },
        changing("CIDR prefix too long") { $0.network.subnets[0].subnet = "10.88.0.0/33" },
        changing("CIDR without prefix") { $0.network.subnets[0].subnet = "10.88.0.0" },
        changing("gateway outside its subnet") { $0.network.subnets[0].gateway = "10.77.0.1" },
        changing("MAC with a bad digit") { $0.staticMAC = "02:42:zz:11:00:32" },
        changing("MAC too short") { $0.staticMAC = "02:42:ac:11:00" },
        changing("unknown ipam driver") { $0.network.ipamDriver = "magic" },
        changing("unknown driver") { $0.network.driver = "tunnel" },
        changing("empty bridge name") { $0.network.bridge = "" },
        changing("bridge name too long") { $0.network.bridge = "fybridge0123456789" },
        option("mtu", "10"),
        option("mtu", "70000"),
        option("mtu", "big"),
        option("metric", "-1"),
        option("metric", "low"),
        option("no_default_route", "maybe"),
        option("isolate", "sometimes"),
        option("mode", "bogus"),
        option("vlan", "5"),
        changing("unmanaged bridge that does not exist") {
            $0.network.options["mode"] = "unmanaged"
        },
        BadInput(name: "sctp port mapping (no sctp module here)") { lab in
            var spec = SetupSpec(container: "c1", [lab.ipv4Network().attach(host: 2)])
            spec.portMappings = [
                [
                    "host_ip": "", "container_port": "80", "host_port": "8080", "range": "1",
                    "protocol": "sctp",
                ]
            ]
            return spec.json
        },
        BadInput(name: "two interfaces named eth0") { lab in
            SetupSpec(
                container: "c1",
                [
                    lab.ipv4Network(0).attach(as: "eth0", host: 2),
                    lab.ipv4Network(1).attach(as: "eth0", host: 2),
                ]
            ).json
        },
        BadInput(name: "network_info lacks a requested network") { lab in
            var spec = SetupSpec(container: "c1", [lab.ipv4Network().attach(host: 2)])
            spec.omittedNetworkInfo = ["fynet0"]
            return spec.json
        },
        BadInput(name: "truncated JSON") { lab in
            String(SetupSpec(container: "c1", [lab.ipv4Network().attach(host: 2)]).json.dropLast(5))
        },
        BadInput(name: "static_ips is not a list") { lab in
            SetupSpec(container: "c1", [lab.ipv4Network().attach(host: 2)]).json
                .replacingOccurrences(of: "[\"10.88.0.2\"]", with: "\"10.88.0.2\"")
        },
    ]
}

/// Failures: a rejected spec changes nothing, a failure midway undoes itself, and a bad
/// command line is a usage error.
// Root only: the tests create network namespaces, veths and bridges.
@Suite(.enabled(if: TestEnvironment.isRoot, "needs root to create network namespaces"))
struct FailureTests {
    @Test(arguments: BadInput.all)
    func badInputChangesNothing(_ input: BadInput) throws {
        try withLab { lab in
            let host = try Snapshot.take(lab.host)
            let container = try Snapshot.take(lab.container(1))
            let result = try lab.run("setup", lab.container(1), spec: input.make(lab))
            expectErrorAnswer(result)
            let hostNow = try Snapshot.take(lab.host)
            let containerNow = try Snapshot.take(lab.container(1))
            #expect(hostNow == host, "\(hostNow.changes(since: host))")
            #expect(containerNow == container, "\(containerNow.changes(since: container))")
        }
    }

    /// The second network's bridge name is taken by a veth on the host: setup fails after
    /// the first network may already be wired, and must undo all of it.
    @Test func failureMidwayLeavesNothing() throws {
        try withLab { lab in
            try lab.ip(
                lab.host, "link", "add", lab.bridge(1), "type", "veth", "peer", "name",
                "fy\(lab.id)pr1")
            let baseline = try Snapshot.take(lab.host)
            let spec = SetupSpec(
                container: "c1",
                [
                    lab.dualStackNetwork(0).attach(as: "eth0", host: 2),
                    lab.ipv4Network(1).attach(as: "eth1", host: 2),
                ])
            let result = try lab.run("setup", lab.container(1), spec: spec.json)
            expectErrorAnswer(result)
            try lab.expectNothingLeft(host: baseline)
        }
    }

    /// Unknown flags and subcommands, or a missing argument: exit 2, a message on stderr,
    /// nothing on stdout.
    @Test(arguments: [
        ["--bogus-flag", "setup", "/run/netns/none"],
        ["frobnicate"],
        ["setup"],
        ["teardown"],
    ])
    func usageError(_ arguments: [String]) throws {
        try withLab { lab in
            let result = try Child(
                lab.pluginArguments(["--config", lab.configDirectory] + arguments)
            ).wait()
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            #expect(!result.stderr.isEmpty)
        }
    }
}
