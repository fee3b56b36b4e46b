import FerryAddress
import FerryEngine
import Testing

@testable import FerryCommands

/// From `-t` / `-u` specs to the ranges the engine listens on: lists, ranges, translated
/// ports, address-bound rules and exclusions.
struct PortForwardResolveTests {
    func resolve(_ text: String, _ transport: EngineConfig.Forward.Transport = .tcp) throws
        -> [EngineConfig.Forward]
    {
        try PortForwardSpec(parsing: text).forwards(transport, ephemeral: 32768...60999)
    }

    @Test func singlePortsListsAndRanges() throws {
        #expect(try resolve("8080") == [.init(.tcp, ports: 8080...8080)])
        #expect(
            try resolve("22,80-90", .udp) == [
                .init(.udp, ports: 22...22), .init(.udp, ports: 80...90),
            ])
        #expect(try resolve("none").isEmpty)
    }

    @Test func translatedPortsKeepEachPortsTarget() throws {
        #expect(try resolve("8080:80") == [.init(.tcp, ports: 8080...8080, targetFirst: 80)])
        let ranges = try resolve("8080-8081:80-81")
        #expect(ranges == [.init(.tcp, ports: 8080...8081, targetFirst: 80)])
        #expect(ranges.first?.target(8081) == 81)
        #expect(try resolve("9000-9002:100") == [.init(.tcp, ports: 9000...9002, targetFirst: 100)])
    }

    @Test func addressBoundRules() throws {
        let v4 = try #require(IPAddress("127.0.0.1"))
        let v6 = try #require(IPAddress("::1"))
        #expect(
            try resolve("127.0.0.1/8080:80") == [
                .init(.tcp, address: v4, ports: 8080...8080, targetFirst: 80)
            ])
        #expect(try resolve("::1/5000-5001") == [.init(.tcp, address: v6, ports: 5000...5001)])
        #expect(throws: PastaUsageError.self) { try resolve("127.0.0.1%eth0/80") }
    }

    @Test func exclusionsCutRangesAndKeepTargets() throws {
        #expect(
            try resolve("3000-3010:4000-4010,~3005") == [
                .init(.tcp, ports: 3000...3004, targetFirst: 4000),
                .init(.tcp, ports: 3006...3010, targetFirst: 4006),
            ])
        #expect(try resolve("80,~80").isEmpty)
        #expect(try resolve("1-100,~1-10,~95-200") == [.init(.tcp, ports: 11...94)])
    }

    @Test func exclusionsOnlyForwardEveryOtherNonEphemeralPortBestEffort() throws {
        let forwards = try resolve("~3000-3001")
        #expect(forwards.map(\.ports) == [1...2999, 3002...32767, 61000...65535])
        #expect(forwards.allSatisfy { $0.bestEffort && $0.targetFirst == $0.ports.lowerBound })
    }

    @Test func allIsRefusedAndAutoHasNoFixedForwards() throws {
        #expect(throws: PastaUsageError.self) { try resolve("all") }
        #expect(try resolve("auto").isEmpty)
    }

    /// `-T` / `-U` bind the container's loopback: both addresses, or the one named.
    @Test func namespaceForwardsBindOnlyTheLoopback() throws {
        func resolve(_ text: String) throws -> [EngineConfig.Forward] {
            try PortForwardSpec.namespaceForwards([PortForwardSpec(parsing: text)], .udp)
        }
        let forwards = try resolve("7000-7002:8000,~7001")
        #expect(forwards.map(\.ports) == [7000...7000, 7002...7002])
        #expect(forwards.map { $0.target($0.ports.lowerBound) } == [8000, 8002])
        #expect(forwards.allSatisfy { $0.address == nil && $0.transport == .udp })
        #expect(try resolve("::1/53").map(\.address) == [IPAddress("::1")])
        #expect(try resolve("127.0.0.1/53").map(\.address) == [IPAddress("127.0.0.1")])
        #expect(throws: PastaUsageError.self) { try resolve("192.0.2.1/53") }
        #expect(throws: PastaUsageError.self) { try resolve("0.0.0.0/53") }
    }

    /// An option left out is `auto`, as with pasta; `none` and ports are taken as given.
    @Test func omittedOptionsAreAuto() throws {
        let plan = PastaNetworkPlan(options: PastaOptions(), template: nil)
        func config(_ arguments: [String]) throws -> EngineConfig {
            let options = try PastaOptions.parse(arguments + ["--netns", "/x"])
            return try plan.engineConfig(options: options, interfaceName: "tap0", resolvers: [])
        }
        let omitted = try config([])
        #expect(
            omitted.autoForward
                == .init(tcp: true, udp: true, tcpNamespace: true, udpNamespace: true))
        #expect(omitted.needsNamespaceHelper)

        let none = try config(["-t", "none", "-u", "none", "-T", "none", "-U", "none"])
        #expect(!none.autoForward.isEnabled && !none.needsNamespaceHelper)

        let mixed = try config(["-t", "8080", "-u", "none", "-T", "auto", "-U", "53"])
        #expect(mixed.autoForward == .init(tcpNamespace: true))
        #expect(mixed.forwards.map(\.description) == ["tcp 8080"])
        #expect(mixed.namespaceForwards.map(\.description) == ["udp 53"])
    }

    @Test func everySpecOfAnOptionInOrder() throws {
        let specs = try ["80", "none", "127.0.0.1/443"].map(PortForwardSpec.init(parsing:))
        let forwards = try PortForwardSpec.forwards(specs, .tcp)
        #expect(forwards.map(\.ports) == [80...80, 443...443])
        #expect(forwards.map(\.address) == [nil, IPAddress("127.0.0.1")])
    }
}
