import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The logger: stderr only (stdout carries the JSON answer), five levels, every line
/// prefixed with its subsystem. Messages are autoclosures, so nothing is built unless the
/// level is on.
public enum Log {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case off = 0, error, warning, info, debug, trace

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        /// Parses "error", "warn", "warning", "info", "debug", "trace", "off".
        public init?(name: String) {
            switch name.lowercased() {
            case "off", "none": self = .off
            case "error": self = .error
            case "warn", "warning": self = .warning
            case "info": self = .info
            case "debug": self = .debug
            case "trace": self = .trace
            default: return nil
            }
        }

        var label: String {
            switch self {
            case .off: "off"
            case .error: "error"
            case .warning: "warning"
            case .info: "info"
            case .debug: "debug"
            case .trace: "trace"
            }
        }
    }

    private static let current = Atomic<Int>(Level.warning.rawValue)

    public static var level: Level {
        get { Level(rawValue: current.load(ordering: .relaxed)) ?? .warning }
        set { current.store(newValue.rawValue, ordering: .relaxed) }
    }

    public static func enabled(_ level: Level) -> Bool { level <= self.level && level != .off }

    /// The level from the environment: `FERRY_LOG`, else Podman's `RUST_LOG=netavark=<level>`
    /// (or a bare `RUST_LOG=<level>`), else warning.
    public static func level(fromEnvironment environment: [String: String]) -> Level? {
        if let value = environment["FERRY_LOG"], let level = Level(name: value) { return level }
        guard let rust = environment["RUST_LOG"] else { return nil }
        for directive in rust.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 1, let level = Level(name: parts[0]) { return level }
            if parts.count == 2, parts[0] == "netavark" || parts[0] == "ferry",
                let level = Level(name: parts[1])
            {
                return level
            }
        }
        return nil
    }

    public static func error(_ subsystem: StaticString, _ message: @autoclosure () -> String) {
        write(.error, subsystem, message)
    }

    public static func warning(_ subsystem: StaticString, _ message: @autoclosure () -> String) {
        write(.warning, subsystem, message)
    }

    public static func info(_ subsystem: StaticString, _ message: @autoclosure () -> String) {
        write(.info, subsystem, message)
    }

    public static func debug(_ subsystem: StaticString, _ message: @autoclosure () -> String) {
        write(.debug, subsystem, message)
    }

    public static func trace(_ subsystem: StaticString, _ message: @autoclosure () -> String) {
        write(.trace, subsystem, message)
    }

    private static func write(
        _ level: Level, _ subsystem: StaticString, _ message: () -> String
    ) {
        guard enabled(level) else { return }
        writeStandardError("[\(level.label)] \(subsystem): \(message())\n")
    }
}
