/// The netavark-style global flags, which come before the subcommand.
///
/// They belong to the netavark surface only; the engine's pasta command line has rules of
/// its own.
public struct GlobalOptions: Sendable, Equatable {
    public var configDirectory: String?
    public var rootless: Bool?
    public var aardvarkBinary: String?
    public var pluginDirectories: [String] = []
    public var inputFile: String?
    public var firewallDriver: String?
    public var logLevel: String?

    public init() {}

    /// The state directory: `--config`, else netavark's default for the caller.
    public var stateDirectory: String {
        configDirectory ?? "/run/containers/networks"
    }
}

/// A command line that does not parse: exit 2 with the message on stderr.
public struct UsageError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The parsed netavark-style command line.
public struct ParsedCommandLine: Sendable, Equatable {
    public var options = GlobalOptions()
    public var subcommand: String?
    public var arguments: [String] = []
    public var showVersion = false
    public var showHelp = false
}

extension ParsedCommandLine {
    /// Parses global flags up to the subcommand; what follows belongs to the subcommand.
    public static func parse(_ arguments: [String]) throws(UsageError) -> ParsedCommandLine {
        var result = ParsedCommandLine()
        var index = 0

        // A flag's value comes either after '=' or as the next word.
        func value(of flag: String, inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            index += 1
            guard index < arguments.count else {
                throw UsageError("a value is required for '\(flag)' but none was supplied")
            }
            return arguments[index]
        }

        while index < arguments.count {
            let word = arguments[index]
            guard word.hasPrefix("-"), word != "-" else {
                result.subcommand = word
                result.arguments = Array(arguments[(index + 1)...])
                return result
            }
            let (flag, inline) = splitFlag(word)
            switch flag {
            case "-c", "--config":
                result.options.configDirectory = try value(of: flag, inline: inline)
            case "-r", "--rootless":
                let text = try value(of: flag, inline: inline)
                guard let flagValue = Bool(text) else {
                    throw UsageError(
                        "invalid value '\(text)' for '--rootless': expected true or false")
                }
                result.options.rootless = flagValue
            case "-a", "--aardvark-binary":
                result.options.aardvarkBinary = try value(of: flag, inline: inline)
            case "--plugin-directory":
                result.options.pluginDirectories.append(try value(of: flag, inline: inline))
            case "-f", "--file":
                result.options.inputFile = try value(of: flag, inline: inline)
            case "--firewall-driver":
                result.options.firewallDriver = try value(of: flag, inline: inline)
            case "--log-level":
                result.options.logLevel = try value(of: flag, inline: inline)
            case "-V", "--version":
                result.showVersion = true
            case "-h", "--help":
                result.showHelp = true
            default:
                throw UsageError("unexpected argument '\(word)' found")
            }
            index += 1
        }
        return result
    }

    /// "--config=/x" gives ("--config", "/x"); short flags take no inline value.
    private static func splitFlag(_ word: String) -> (String, String?) {
        guard word.hasPrefix("--"), let equals = word.firstIndex(of: "=") else {
            return (word, nil)
        }
        return (String(word[..<equals]), String(word[word.index(after: equals)...]))
    }
}
