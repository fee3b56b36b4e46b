/// A wrong `ferry pasta` command line. The getopt cases keep glibc's getopt_long texts
/// word for word, because Podman matches on them (it retries without `--map-guest-addr`
/// when it reads "unrecognized option '--map-guest-addr'"); the program name goes in front
/// when printed, as getopt does.
public enum PastaUsageError: Error, Equatable, Sendable, CustomStringConvertible {
    case unrecognizedOption(String)
    case invalidOption(Character)
    case ambiguousOption(String, possibilities: [String])
    case requiresArgument(long: String)
    case requiresArgumentShort(Character)
    case doesNotAllowArgument(long: String)
    case invalidValue(option: String, value: String)
    case invalidPortSpec(String)
    case conflicting(String)
    case target(String)

    public var description: String {
        switch self {
        case .unrecognizedOption(let argument):
            "unrecognized option '\(argument)'"
        case .invalidOption(let character):
            "invalid option -- '\(character)'"
        case .ambiguousOption(let argument, let possibilities):
            "option '\(argument)' is ambiguous; possibilities:"
                + possibilities.map { " '--\($0)'" }.joined()
        case .requiresArgument(let long):
            "option '--\(long)' requires an argument"
        case .requiresArgumentShort(let character):
            "option requires an argument -- '\(character)'"
        case .doesNotAllowArgument(let long):
            "option '--\(long)' doesn't allow an argument"
        case .invalidValue(let option, let value):
            "invalid value '\(value)' for \(option)"
        case .invalidPortSpec(let spec):
            "invalid port specification '\(spec)'"
        case .conflicting(let message), .target(let message):
            message
        }
    }
}
