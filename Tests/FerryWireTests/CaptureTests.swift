import FerryAddress
import FerryBridge
import FerryFirewall
import FerryWire
import Foundation
import Testing

@Suite struct CaptureTests {
    @Test func everyStdinDecodes() throws {
        for name in try SharedCaptures.files(endingIn: ".stdin.json") {
            let options = try NetworkOptions.decode(try SharedCaptures.data(name))
            #expect(!options.containerID.isEmpty, "\(name)")
            #expect(!options.orderedNetworks.isEmpty, "\(name)")
            for (network, perNetwork) in options.orderedNetworks {
                #expect(options.networkInfo[network]?.name == network, "\(name)")
                #expect(!perNetwork.interfaceName.isEmpty, "\(name)")
            }
        }
    }

    @Test func everyStatusAnswerRoundTrips() throws {
        let answers = try SharedCaptures.files(endingIn: ".stdout.json").filter {
            !$0.contains("error")
        }
        try #require(!answers.isEmpty)
        for name in answers {
            let original = try SharedCaptures.data(name)
            let blocks = try StatusBlock.decodeAnswer(original)
            #expect(!blocks.isEmpty, "\(name)")
            let encoded = StatusBlock.encodeAnswer(blocks)
            #expect(try sameJSON(Data(encoded.utf8), original), "\(name): \(encoded)")
            #expect(!encoded.contains("\\/"), "slashes must not be escaped: \(encoded)")
        }
    }

    @Test func errorAnswerMatchesCapture() throws {
        let original = try SharedCaptures.data("rootful-4.3.1-error-mtu10-setup.stdout.json")
        let object = try JSONSerialization.jsonObject(with: original) as? [String: String]
        let message = try #require(object?["error"])
        #expect(
            ErrorAnswer.encode(message: message) + "\n" == String(decoding: original, as: UTF8.self)
        )
    }

    @Test func errorAnswerEscapes() throws {
        let message = "bad \"name\"\\ with\nnewline and 10.0.0.0/8 and ü"
        let encoded = ErrorAnswer.encode(message: message)
        #expect(encoded.hasPrefix("{\"error\":\""))
        let decoded =
            try JSONSerialization.jsonObject(with: Data(encoded.utf8)) as? [String: String]
        #expect(decoded == ["error": message])
        #expect(!encoded.contains("\n"))
    }

    @Test func mtu10CaptureFailsOnMTU() throws {
        let options = try NetworkOptions.decode(
            try SharedCaptures.data("rootful-4.3.1-error-mtu10-setup.stdin.json"))
        #expect {
            try BridgeConfig.validateAll(options, rootless: false)
        } throws: { error in
            "\(error)".contains("network badmtu: invalid option mtu=\"10\"")
        }
    }

    @Test func publishedPortsBecomeFirewallForwards() throws {
        let options = try NetworkOptions.decode(
            try SharedCaptures.data("rootful-4.3.1-default-p8080-setup.stdin.json"))
        _ = try BridgeConfig.validateAll(options, rootless: false)
        let forwards = try BridgeConfig.portForwards(options.portMappings)
        #expect(forwards == [PortForward(.tcp, host: .any, hostPort: 8080, containerPort: 80)])
    }

    @Test func tcpAndUDPInOneMappingGiveTwoForwards() throws {
        let mapping = PortMapping(
            hostIP: "0.0.0.0", containerPort: 53, hostPort: 5353, range: 2, protocol: "tcp,udp")
        let forwards = try BridgeConfig.portForwards([mapping])
        #expect(forwards.map(\.transport) == [.tcp, .udp])
        #expect(forwards.allSatisfy { $0.host == .anyOf(.ipv4) && $0.count == 2 })
    }

    /// DNS-enabled networks are accepted and carry what the DNS part needs.
    @Test func dnsNetworksAreAcceptedWithTheirAliases() throws {
        var options = try NetworkOptions.decode(
            try SharedCaptures.data("rootful-4.3.1-two-networks-dns-setup.stdin.json"))
        options.portMappings = []
        let configs = try BridgeConfig.validateAll(options, rootless: false)
        let capnet = try #require(configs.first { $0.networkName == "capnet" })
        #expect(configs.allSatisfy { $0.dnsEnabled })
        #expect(capnet.aliases == ["web", "ea0be2bb7017"])
        #expect(capnet.bridgeAddresses == [IPNetwork("10.89.7.1/24")!])
    }

    /// The default network's capture, without its port, gives the config netavark acted on,
    /// and the StatusBlock built from it matches netavark's answer but for the random MAC.
    @Test func defaultCaptureGivesNetavarksAddresses() throws {
        var options = try NetworkOptions.decode(
            try SharedCaptures.data("rootful-4.3.1-default-p8080-setup.stdin.json"))
        options.portMappings = []
        let configs = try BridgeConfig.validateAll(options, rootless: false)
        let config = try #require(configs.first)
        #expect(configs.count == 1)
        #expect(config.networkName == "podman")
        #expect(config.bridgeName == "podman0")
        #expect(config.containerInterfaceName == "eth0")
        #expect(config.mode == .managed)
        #expect(config.mtu == nil)
        #expect(config.metric == 100)
        #expect(config.isolation == .off)
        #expect(config.ipamDriver == .hostLocal)
        #expect(config.containerAddresses == [IPNetwork("10.88.0.12/16")!])
        #expect(config.bridgeAddresses == [IPNetwork("10.88.0.1/16")!])
        #expect(config.defaultRouteGateways == [IPAddress("10.88.0.1")!])
        #expect(config.hostInterfaceName == nil)
        #expect(!config.portMappingsRequested)

        let answer = try StatusBlock.decodeAnswer(
            try SharedCaptures.data("rootful-4.3.1-default-p8080-setup.stdout.json"))
        let netavarkInterface = try #require(answer["podman"]?.interfaces["eth0"])
        let ours = StatusBlock(interfaces: [
            "eth0": NetInterface(
                macAddress: netavarkInterface.macAddress, subnets: config.statusAddresses)
        ])
        #expect(ours == answer["podman"])
    }
}
