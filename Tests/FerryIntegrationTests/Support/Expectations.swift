import Foundation
import Testing

/// What a correctly attached container should show; the defaults are netavark's.
struct Expected: Sendable {
    /// The MTU of the bridge, both veth ends; nil: only that all three agree (netavark 1.4
    /// does not take the MTU from the default route, so exact values have their own tests).
    var mtu: Int?
    var defaultRoute = true
    var metric = 100
    var hostInterfaceName: String?
}

extension Lab {
    /// Runs setup, expects success, and returns the answer: network name → StatusBlock.
    func setUp(
        _ namespace: String, _ spec: SetupSpec,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String: Any] {
        let result = try run("setup", namespace, spec: spec.json)
        guard result.status == 0 else {
            Issue.record(
                "setup exited \(result.status): \(result.stdout) \(result.stderr.suffix(500))",
                sourceLocation: sourceLocation)
            throw LabError("setup of \(namespace) failed")
        }
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        guard let answer = object as? [String: Any] else {
            throw LabError("setup printed no JSON object: \(result.stdout)")
        }
        #expect(
            Set(answer.keys) == Set(spec.attachments.map(\.network.name)),
            sourceLocation: sourceLocation)
        return answer
    }

    /// Runs teardown and expects exit 0 with nothing on stdout.
    func tearDown(
        _ namespace: String, _ spec: SetupSpec,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let result = try run("teardown", namespace, spec: spec.json)
        #expect(
            result.status == 0, "teardown: \(result.stdout) \(result.stderr.suffix(500))",
            sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    /// Checks one attachment in the container, in the answer and on the host side.
    func expectAttached(
        _ attachment: Attachment, in namespace: String, answer: [String: Any],
        _ expected: Expected = Expected(), sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let network = attachment.network
        let name = attachment.interfaceName
        var expected = expected
        if expected.mtu == nil {
            expected.mtu = try NamespaceState.link(network.bridge, in: host)?.mtu
        }

        // The answer: every StatusBlock key, the interface, its MAC and addresses.
        let block = answer[network.name] as? [String: Any] ?? [:]
        for key in ["dns_search_domains", "dns_server_ips", "interfaces"] {
            #expect(block[key] != nil, "answer lacks \(key)", sourceLocation: sourceLocation)
        }
        let interface =
            (block["interfaces"] as? [String: Any])?[name] as? [String: Any] ?? [:]
        let answeredMAC = (interface["mac_address"] as? String)?.lowercased()
        let answeredSubnets = interface["subnets"] as? [[String: Any]] ?? []
        let expectedSubnets = zip(network.subnets, attachment.staticIPs).map {
            subnet, ip in "\(ip)/\(subnet.prefixLength) gw \(subnet.gateway ?? "-")"
        }
        let shownSubnets = answeredSubnets.map {
            "\($0["ipnet"] as? String ?? "?") gw \($0["gateway"] as? String ?? "-")"
        }
        #expect(shownSubnets.sorted() == expectedSubnets.sorted(), sourceLocation: sourceLocation)

        // The container's end: a veth, up, with the MTU and the MAC the answer gave.
        let link = try NamespaceState.link(name, in: namespace)
        #expect(link?.kind == "veth", sourceLocation: sourceLocation)
        #expect(link?.isUp == true, sourceLocation: sourceLocation)
        #expect(link?.operstate == "UP", sourceLocation: sourceLocation)
        #expect(link?.mtu == expected.mtu, sourceLocation: sourceLocation)
        #expect(link?.mac != nil && link?.mac == answeredMAC, sourceLocation: sourceLocation)
        if let mac = attachment.staticMAC {
            #expect(link?.mac == mac.lowercased(), sourceLocation: sourceLocation)
        }
        #expect(
            try NamespaceState.link("lo", in: namespace)?.isUp == true,
            "loopback is down", sourceLocation: sourceLocation)

        // Addresses with their subnet's prefix, and the default routes.
        let addresses = try NamespaceState.addresses(namespace).filter { $0.interface == name }
        for (subnet, ip) in zip(network.subnets, attachment.staticIPs) {
            #expect(
                addresses.contains { $0.local == ip && $0.prefixLength == subnet.prefixLength },
                "\(ip)/\(subnet.prefixLength) missing on \(name)", sourceLocation: sourceLocation)
        }
        for family in [4, 6] {
            let defaults = try NamespaceState.defaultRoutes(namespace, family: family)
                .filter { $0.device == name }
            guard expected.defaultRoute, let gateway = network.gateway(family: family) else {
                #expect(
                    defaults.isEmpty, "\(defaults.map(\.summary))",
                    sourceLocation: sourceLocation)
                continue
            }
            #expect(
                defaults.map(\.summary)
                    == ["unicast default via \(gateway) dev \(name) metric \(expected.metric)"],
                sourceLocation: sourceLocation)
        }
        try expectBridge(
            network, attached: namespace, expected, sourceLocation: sourceLocation)
    }

    /// The bridge on the host: up, with the gateways and MTU, and a veth of ours attached.
    func expectBridge(
        _ network: NetworkSpec, attached namespace: String, _ expected: Expected,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let links = try NamespaceState.links(host)
        let bridge = links.first { $0.name == network.bridge }
        #expect(bridge?.kind == "bridge", sourceLocation: sourceLocation)
        #expect(bridge?.isUp == true, sourceLocation: sourceLocation)
        #expect(bridge?.mtu == expected.mtu, sourceLocation: sourceLocation)
        let bridgeAddresses = try NamespaceState.addresses(host)
            .filter { $0.interface == network.bridge }.map(\.cidr)
        for subnet in network.subnets {
            guard let gateway = subnet.gateway, !network.isUnmanaged else { continue }
            #expect(
                bridgeAddresses.contains("\(gateway)/\(subnet.prefixLength)"),
                "bridge lacks \(gateway)", sourceLocation: sourceLocation)
        }
        let ports = links.filter { $0.master == network.bridge }
        #expect(!ports.isEmpty, "no port on \(network.bridge)", sourceLocation: sourceLocation)
        for port in ports {
            #expect(port.kind == "veth", sourceLocation: sourceLocation)
            #expect(port.isUp && port.operstate == "UP", sourceLocation: sourceLocation)
            #expect(port.mtu == expected.mtu, sourceLocation: sourceLocation)
        }
        if let hostName = expected.hostInterfaceName {
            #expect(ports.contains { $0.name == hostName }, sourceLocation: sourceLocation)
        }
    }

    /// Nothing of the plugin's is left: the host looks as in `baseline`, and each container
    /// has only its loopback, with no address or route on anything else.
    /// `ignoring` leaves out lines the kernel changes on its own timetable (a bridge's
    /// carrier state and the IPv6 routes that follow it), on both sides.
    func expectNothingLeft(
        host baseline: Snapshot, containers: [String]? = nil,
        ignoring: (@Sendable (String) -> Bool)? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var now = try Snapshot.take(host)
        var baseline = baseline
        if let ignoring {
            now = Snapshot(namespace: now.namespace, lines: now.lines.filter { !ignoring($0) })
            baseline = Snapshot(
                namespace: baseline.namespace, lines: baseline.lines.filter { !ignoring($0) })
        }
        #expect(now == baseline, "\(now.changes(since: baseline))", sourceLocation: sourceLocation)
        for namespace in containers ?? self.containers {
            let links = try NamespaceState.links(namespace).map(\.name)
            #expect(links == ["lo"], "\(namespace): \(links)", sourceLocation: sourceLocation)
            let addresses = try NamespaceState.addresses(namespace).filter { $0.interface != "lo" }
            #expect(addresses.isEmpty, "\(addresses)", sourceLocation: sourceLocation)
            for family in [4, 6] {
                let routes = try NamespaceState.routes(namespace, family: family)
                    .filter { $0.device != "lo" }
                #expect(routes.isEmpty, "\(routes.map(\.summary))", sourceLocation: sourceLocation)
            }
        }
    }
}

extension NetworkSpec {
    var isUnmanaged: Bool { options["mode"] == "unmanaged" }
}

/// A failed run: exit 1 and exactly one JSON object on stdout whose only key is "error".
func expectErrorAnswer(_ result: ChildResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == 1, "exit \(result.status)", sourceLocation: sourceLocation)
    let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    let answer = object as? [String: Any]
    #expect(
        answer.map { Array($0.keys) } == ["error"], "stdout: \(result.stdout)",
        sourceLocation: sourceLocation)
    let message = answer?["error"] as? String ?? ""
    #expect(!message.isEmpty, sourceLocation: sourceLocation)
}
