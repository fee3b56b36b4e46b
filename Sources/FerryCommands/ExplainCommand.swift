import FerryPolicy
import FerrySystem
import FerryWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `ferry explain [--format text|json] [--default]`: the mode chosen for each network and
/// why, the containers.conf files read and each effective value with its source.
///
/// Which networks: with the global `-f FILE`, those of the spec in FILE. Else, with
/// `--default` or when stdin is a terminal, the default network (`[network]
/// default_network`, driver auto). Else the spec is read from stdin; an empty stdin also
/// means the default network.
enum ExplainCommand {
    static let usage = "usage: ferry [OPTIONS] explain [--format text|json] [--default]"

    enum Format: String { case text, json }

    static func run(_ commandLine: ParsedCommandLine, environment: [String: String]) -> Int32 {
        var format = Format.text
        var defaultNetwork = false
        var arguments = commandLine.arguments[...]
        while let word = arguments.popFirst() {
            switch word {
            case "--default":
                defaultNetwork = true
            case "--format":
                guard let value = arguments.popFirst(), let chosen = Format(rawValue: value) else {
                    return usageFailure("'--format' takes text or json")
                }
                format = chosen
            case _ where word.hasPrefix("--format="):
                guard let chosen = Format(rawValue: String(word.dropFirst("--format=".count)))
                else { return usageFailure("'--format' takes text or json") }
                format = chosen
            default:
                return usageFailure("unexpected argument '\(word)' for explain")
            }
        }

        do {
            let rootless = HostPrivilege.current().rootless(flag: commandLine.options.rootless)
            let loader = ConfigLoader.current(
                environment: environment, rootless: rootless.isRootless)
            let config = try loader.load()
            let requests = try networks(
                commandLine, useDefault: defaultNetwork, defaultName: config.defaultNetwork)
            let decider = ModeDecider(
                config: config,
                context: PreflightContext(rootless: rootless, environment: environment),
                preflights: [.pasta: EnginePreflight()])
            var decisions: [ModeDecision] = []
            for request in requests { decisions.append(try decider.decide(request)) }

            let explanation = PolicyExplanation(
                config: config, rootless: rootless, decisions: decisions)
            switch format {
            case .text:
                FileHandle.standardOutput.write(Data(explanation.text.utf8))
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(explanation)
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
            return 0
        } catch {
            return CommandFailure.answer(error)
        }
    }

    /// The networks to explain: the spec's, in its setup order, or the default network.
    static func networks(_ commandLine: ParsedCommandLine, useDefault: Bool, defaultName: String)
        throws -> [NetworkRequest]
    {
        let defaultRequest = [NetworkRequest(name: defaultName, driver: "auto")]
        let data: Data
        if commandLine.options.inputFile != nil {
            data = try readSpec(commandLine.options)
        } else if useDefault || isatty(STDIN_FILENO) == 1 {
            return defaultRequest
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
            let blank = data.allSatisfy { $0 == 0x20 || $0 == 0x0a || $0 == 0x09 || $0 == 0x0d }
            if blank { return defaultRequest }
        }
        let options = try NetworkOptions.decode(data)
        return options.networkOrder.map { name in
            let network = options.networkInfo[name]!
            return NetworkRequest(
                name: network.name, driver: network.driver, options: network.options)
        }
    }

    static func usageFailure(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("error: \(message)\n\(usage)\n".utf8))
        return 2
    }
}
