/// Why no mode could be chosen for a network.
public enum PolicyError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The network's driver is none Ferry knows.
    case unsupportedDriver(network: String, driver: String)
    /// A configuration key names a mode that does not exist there.
    case invalidConfiguredMode(key: String, value: String, source: String, allowed: [String])
    /// The network's driver names a mode explicitly, and that mode cannot run.
    case modeCannotRun(network: String, record: PreflightRecord)
    /// Every mode tried for the network failed its preflight.
    case noModeCanRun(network: String, tried: [PreflightRecord])

    public var description: String {
        switch self {
        case .unsupportedDriver(let network, let driver) where driver == "ipvlan":
            "network \(network): driver ipvlan is not supported: Ferry has no ipvlan driver,"
                + " and this kernel has no ipvlan module (use macvlan)"
        case .unsupportedDriver(let network, let driver):
            "network \(network): unsupported driver \"\(driver)\" (expected bridge, macvlan,"
                + " pasta, slirp4netns or auto)"
        case .invalidConfiguredMode(let key, let value, let source, let allowed):
            "\(source): \(key) = \"\(value)\": expected one of "
                + allowed.joined(separator: ", ")
        case .modeCannotRun(let network, let record):
            "network \(network): driver \(record.mode.rawValue) cannot run here:"
                + " \(record.answer.detail)"
        case .noModeCanRun(let network, let tried):
            "network \(network): no network mode can run here; tried "
                + tried.map { "\($0.mode.rawValue) (\($0.answer.detail))" }
                .joined(separator: ", then ")
        }
    }
}
