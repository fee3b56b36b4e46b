/// The mode chosen for one network, and everything that explains it.
public struct ModeDecision: Sendable, Equatable {
    public var network: String
    /// The network's driver as the spec gave it ("auto" included).
    public var driver: String
    public var mode: NetworkMode
    /// Why this mode, in one line: the driver, the rootless status and the keys consulted.
    public var reason: String
    /// Things the admin should know, e.g. a fallback and its cause.
    public var warnings: [String]
    /// Each preflight run, in order.
    public var preflights: [PreflightRecord]

    public init(
        network: String, driver: String, mode: NetworkMode, reason: String,
        warnings: [String] = [], preflights: [PreflightRecord] = []
    ) {
        self.network = network
        self.driver = driver
        self.mode = mode
        self.reason = reason
        self.warnings = warnings
        self.preflights = preflights
    }
}
