import FerryPolicy
import FerryTOML
import Testing

/// A preflight whose answer the test chooses, and which records that it was asked.
struct FixedPreflight: ModePreflight {
    var answer: PreflightAnswer

    func check(_ network: NetworkRequest, config: ContainersConf, context: PreflightContext)
        -> PreflightAnswer
    {
        answer
    }
}

let rootful = RootlessStatus(isRootless: false, reason: "test: rootful")
let rootless = RootlessStatus(isRootless: true, reason: "test: rootless")
let ready = FixedPreflight(answer: .ready("test says ready"))

func decider(
    _ status: RootlessStatus, config: ContainersConf = ContainersConf(),
    pasta: PreflightAnswer = .ready("pasta ok"),
    slirp4netns: PreflightAnswer = .ready("slirp4netns ok")
) -> ModeDecider {
    ModeDecider(
        config: config,
        context: PreflightContext(rootless: status, environment: [:]),
        preflights: [
            .bridge: ready, .macvlan: ready,
            .pasta: FixedPreflight(answer: pasta),
            .slirp4netns: FixedPreflight(answer: slirp4netns),
        ])
}

func configured(_ table: String, _ key: String, _ value: String) throws -> ContainersConf {
    var conf = ContainersConf()
    try conf.merge(document(table, key, .string(value)), from: "test.conf")
    return conf
}

let auto = NetworkRequest(name: "podman", driver: "auto")

@Suite struct ModeDeciderTests {
    @Test func rootfulAutoGivesBridge() throws {
        let decision = try decider(rootful).decide(auto)
        #expect(decision.mode == .bridge)
        #expect(decision.reason.contains("rootful"))
        #expect(decision.warnings.isEmpty)
    }

    @Test func rootlessAutoWithNothingSetGivesPasta() throws {
        let decision = try decider(rootless).decide(auto)
        #expect(decision.mode == .pasta)
        #expect(decision.reason.contains("default_rootless_network_cmd = \"pasta\""))
        #expect(decision.reason.contains(ContainersConf.builtInSource))
        #expect(decision.preflights.map(\.mode) == [.pasta])
    }

    @Test func rootlessWithSlirp4netnsConfiguredGivesSlirp4netns() throws {
        let conf = try configured("network", "default_rootless_network_cmd", "slirp4netns")
        let decision = try decider(rootless, config: conf).decide(auto)
        #expect(decision.mode == .slirp4netns)
        #expect(decision.reason.contains("test.conf"))
    }

    /// [containers] netns overrides default_rootless_network_cmd, as in Podman.
    @Test(arguments: [
        ("slirp4netns", NetworkMode.slirp4netns), ("pasta", .pasta), ("bridge", .bridge),
        ("slirp4netns:allow_host_loopback=true", .slirp4netns), ("private", .pasta),
    ])
    func containersNetnsPicksMode(netns: String, expected: NetworkMode) throws {
        var conf = try configured("containers", "netns", netns)
        try conf.merge(
            document("network", "default_rootless_network_cmd", .string("pasta")), from: "b.conf")
        let decision = try decider(rootless, config: conf).decide(auto)
        #expect(decision.mode == expected)
    }

    /// [network] default_network names a network; only [containers] netns changes the mode.
    @Test func defaultNetworkDoesNotChangeMode() throws {
        for value in ["slirp4netns", "pasta", "bridge", "macvlan", "something"] {
            let conf = try configured("network", "default_network", value)
            #expect(try decider(rootless, config: conf).decide(auto).mode == .pasta)
            #expect(try decider(rootful, config: conf).decide(auto).mode == .bridge)
        }
    }

    /// An explicit driver wins over the configuration and over rootlessness.
    @Test(arguments: [
        ("bridge", NetworkMode.bridge), ("macvlan", .macvlan), ("pasta", .pasta),
        ("slirp4netns", .slirp4netns),
    ])
    func explicitDriverWins(driver: String, expected: NetworkMode) throws {
        var conf = try configured("network", "default_rootless_network_cmd", "slirp4netns")
        try conf.merge(document("containers", "netns", .string("pasta")), from: "b.conf")
        for status in [rootless, rootful] {
            let decision = try decider(status, config: conf)
                .decide(NetworkRequest(name: "n", driver: driver))
            #expect(decision.mode == expected)
            #expect(decision.reason.contains("driver is \(driver)"))
        }
    }

    @Test func pastaFailingFallsBackToSlirp4netnsWithWarning() throws {
        let decision = try decider(rootless, pasta: .cannotRun("creating tap: EPERM"))
            .decide(auto)
        #expect(decision.mode == .slirp4netns)
        #expect(decision.warnings.count == 1)
        #expect(decision.warnings[0].contains("creating tap: EPERM"))
        #expect(decision.warnings[0].contains("falling back to slirp4netns"))
        #expect(decision.preflights.map(\.mode) == [.pasta, .slirp4netns])
    }

    @Test func bothFailingIsAnError() throws {
        let failing = decider(
            rootless, pasta: .cannotRun("creating tap: EPERM"),
            slirp4netns: .cannotRun("slirp4netns not found"))
        #expect {
            try failing.decide(auto)
        } throws: { error in
            let text = "\(error)"
            return text.contains("no network mode can run")
                && text.contains("pasta (creating tap: EPERM)")
                && text.contains("slirp4netns (slirp4netns not found)")
        }
    }

    /// An explicit pasta that cannot run does not fall back: the driver was asked for.
    @Test func explicitPastaFailingIsAnError() throws {
        let failing = decider(rootless, pasta: .cannotRun("creating tap: EPERM"))
        #expect(throws: PolicyError.self) {
            try failing.decide(NetworkRequest(name: "n", driver: "pasta"))
        }
    }

    @Test func configuredSlirp4netnsFailingIsAnError() throws {
        let conf = try configured("network", "default_rootless_network_cmd", "slirp4netns")
        let failing = decider(rootless, config: conf, slirp4netns: .cannotRun("missing"))
        #expect(
            throws: PolicyError.noModeCanRun(
                network: "podman",
                tried: [PreflightRecord(mode: .slirp4netns, answer: .cannotRun("missing"))])
        ) {
            try failing.decide(auto)
        }
    }

    @Test func unknownDriverAndBadConfiguredCommand() throws {
        #expect(throws: PolicyError.unsupportedDriver(network: "n", driver: "vxlan")) {
            try decider(rootless).decide(NetworkRequest(name: "n", driver: "vxlan"))
        }
        #expect {
            try decider(rootless).decide(NetworkRequest(name: "n", driver: "ipvlan"))
        } throws: { error in
            "\(error)".contains("driver ipvlan is not supported")
                && "\(error)".contains("this kernel has no ipvlan module")
        }
        let conf = try configured("network", "default_rootless_network_cmd", "vpnkit")
        #expect {
            try decider(rootless, config: conf).decide(auto)
        } throws: { error in
            "\(error)".hasPrefix("test.conf: [network] default_rootless_network_cmd = \"vpnkit\"")
        }
    }
}
