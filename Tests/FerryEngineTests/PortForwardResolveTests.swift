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

    @Test func allIsRefusedAndAutoForwardsNothingYet() throws {
        #expect(throws: PastaUsageError.self) { try resolve("all") }
        #expect(try resolve("auto").isEmpty)
    }

    @Test func everySpecOfAnOptionInOrder() throws {
        let specs = try ["80", "none", "127.0.0.1/443"].map(PortForwardSpec.init(parsing:))
        let forwards = try PortForwardSpec.forwards(specs, .tcp)
        #expect(forwards.map(\.ports) == [80...80, 443...443])
        #expect(forwards.map(\.address) == [nil, IPAddress("127.0.0.1")])
    }
}
