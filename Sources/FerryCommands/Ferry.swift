import FerrySystem
import Foundation

/// The `ferry` executable's entry: picks the surface from argv[0] and argv[1], runs it, and
/// returns the exit code.
public enum Ferry {
    public static func main(_ argv: [String]) -> Int32 {
        let arguments = Array(argv.dropFirst())
        let environment = ProcessInfo.processInfo.environment
        if let level = Log.level(fromEnvironment: environment) { Log.level = level }

        // pasta's command line, not netavark's: `ferry pasta ...`, or the binary run as pasta.
        if let pasta = PastaCommand.route(argv) { return pasta }
        if let step = Slirp4netnsHelpers.route(arguments) { return step }

        let commandLine: ParsedCommandLine
        do {
            commandLine = try ParsedCommandLine.parse(arguments)
        } catch {
            return usageFailure(error.description)
        }
        if let name = commandLine.options.logLevel {
            guard let level = Log.Level(name: name) else {
                return usageFailure("invalid value '\(name)' for '--log-level'")
            }
            Log.level = level
        }
        if commandLine.showHelp {
            print(usageText, terminator: "")
            return 0
        }
        if commandLine.showVersion {
            print("ferry \(FerryVersion.version)")
            return 0
        }
        guard let subcommand = commandLine.subcommand else {
            return usageFailure("a subcommand is required")
        }
        return run(subcommand, commandLine, environment: environment)
    }

    static func run(
        _ subcommand: String, _ commandLine: ParsedCommandLine, environment: [String: String]
    ) -> Int32 {
        switch subcommand {
        case "version":
            return VersionCommand.run(commandLine)
        case "setup":
            return SetupCommand.run(commandLine, environment: environment)
        case "teardown":
            return TeardownCommand.run(commandLine, environment: environment)
        case "firewall-reload":
            return FirewallReloadCommand.run(commandLine, environment: environment)
        case "update":
            return UpdateCommand.run(commandLine, environment: environment)
        case "explain":
            return ExplainCommand.run(commandLine, environment: environment)
        default:
            return usageFailure("unrecognized subcommand '\(subcommand)'")
        }
    }

    /// Exit 2 with the message and the usage on stderr, as netavark's parser does.
    static func usageFailure(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("error: \(message)\n\n\(usageText)".utf8))
        return 2
    }
}
