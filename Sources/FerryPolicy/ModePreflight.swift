/// Where a mode would run: what a preflight may look at besides the network and the config.
public struct PreflightContext: Sendable {
    /// The container's network namespace, when the caller has one (setup does, explain not).
    public var namespacePath: String?
    public var rootless: RootlessStatus
    /// The caller's environment (PATH for finding helpers, and the like).
    public var environment: [String: String]

    public init(
        namespacePath: String? = nil, rootless: RootlessStatus, environment: [String: String]
    ) {
        self.namespacePath = namespacePath
        self.rootless = rootless
        self.environment = environment
    }
}

/// A mode's answer to "can you run here?".
public enum PreflightAnswer: Sendable, Equatable {
    /// It can; the text says what was checked ("slirp4netns 1.2.0 at /usr/bin/slirp4netns").
    case ready(String)
    /// It cannot; the text says why, in the house form "what failed: why".
    case cannotRun(String)

    public var isReady: Bool {
        if case .ready = self { return true }
        return false
    }

    public var detail: String {
        switch self {
        case .ready(let text), .cannotRun(let text): text
        }
    }
}

/// The check each network mode offers before the decision commits to it. It must have no
/// lasting side effects: whatever it tries (creating a tap, running `--version`) it undoes.
///
/// The mode drivers fill these in: the engine tries to create its tap in the target
/// namespace and refuses `pasta_options` entries it does not support; slirp4netns looks
/// for its binary.
public protocol ModePreflight: Sendable {
    func check(_ network: NetworkRequest, config: ContainersConf, context: PreflightContext)
        -> PreflightAnswer
}

/// One preflight that was run, for the decision's record.
public struct PreflightRecord: Sendable, Equatable {
    public var mode: NetworkMode
    public var answer: PreflightAnswer

    public init(mode: NetworkMode, answer: PreflightAnswer) {
        self.mode = mode
        self.answer = answer
    }
}

/// A preflight that always says ready: bridge and macvlan need nothing Ferry can check
/// ahead (their errors come from netlink, with context, during setup).
public struct AlwaysReadyPreflight: ModePreflight {
    public var note: String

    public init(note: String) { self.note = note }

    public func check(
        _ network: NetworkRequest, config: ContainersConf, context: PreflightContext
    ) -> PreflightAnswer {
        .ready(note)
    }
}

/// The policy's stand-in for the engine's preflight, for callers that supply none (the
/// policy's own tests). The commands layer always supplies the real one, which parses
/// `pasta_options` and creates a tap in the target namespace (EnginePreflight).
public struct PastaPreflight: ModePreflight {
    public init() {}

    public func check(
        _ network: NetworkRequest, config: ContainersConf, context: PreflightContext
    ) -> PreflightAnswer {
        .ready("Ferry's engine is built in (stand-in check: no tap attempted)")
    }
}

extension NetworkMode {
    /// The preflight each mode uses unless the caller supplies another.
    public var standardPreflight: any ModePreflight {
        switch self {
        case .bridge: AlwaysReadyPreflight(note: "bridge needs no helper program")
        case .macvlan: AlwaysReadyPreflight(note: "macvlan needs no helper program")
        case .pasta: PastaPreflight()
        case .slirp4netns: Slirp4netnsPreflight()
        }
    }
}
