import FerryAddress
import FerryDNS
import FerrySystem

/// `ferry update NETWORK --network-dns-servers A,B`: replaces the upstream DNS servers of a
/// network in its aardvark-dns file and tells aardvark-dns to reload.
///
/// Like netavark, the flag may repeat and each value may hold a comma-separated list; an
/// empty value clears the servers. Without an aardvark-dns binary there is nothing to
/// update and the command succeeds.
enum UpdateCommand {
    static func run(_ commandLine: ParsedCommandLine, environment: [String: String]) -> Int32 {
        let network: String
        let servers: [IPAddress]
        do {
            (network, servers) = try parse(commandLine.arguments)
        } catch {
            return Ferry.usageFailure(error.description)
        }

        let options = commandLine.options
        do {
            let binary = options.aardvarkBinary ?? Aardvark.defaultBinary
            guard FileSystem.exists(binary) else {
                Log.debug("update", "no aardvark-dns at \(binary); nothing to update")
                return 0
            }
            let lock = try FileLock(path: options.stateDirectory + "/ferry.lock")
            defer { lock.unlock() }
            let aardvark = Aardvark(
                stateDirectory: options.stateDirectory, binary: binary,
                port: try Aardvark.port(environment: environment))
            try withContext("updating network \(network)") {
                try aardvark.updateUpstreamServers(network: network, servers: servers)
            }
            return 0
        } catch {
            return CommandFailure.answer(error)
        }
    }

    /// The network's name and the servers, from the words after `update`.
    static func parse(_ arguments: [String]) throws(UsageError) -> (String, [IPAddress]) {
        var network: String?
        var values: [String]?
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--network-dns-servers" {
                index += 1
                guard index < arguments.count else {
                    throw UsageError(
                        "a value is required for '--network-dns-servers' but none was supplied")
                }
                values = (values ?? []) + [arguments[index]]
            } else if word.hasPrefix("--network-dns-servers=") {
                values = (values ?? []) + [String(word.dropFirst("--network-dns-servers=".count))]
            } else if word.hasPrefix("-") {
                throw UsageError("unexpected argument '\(word)' found")
            } else if network == nil {
                network = word
            } else {
                throw UsageError("unexpected argument '\(word)' found")
            }
            index += 1
        }
        guard let network, !network.isEmpty else {
            throw UsageError("update needs a network name")
        }
        guard let values else {
            throw UsageError("update needs '--network-dns-servers <SERVERS>'")
        }
        var servers: [IPAddress] = []
        for text in values.flatMap({ $0.split(separator: ",") }) {
            guard let address = IPAddress(String(text)) else {
                throw UsageError("invalid value '\(text)' for '--network-dns-servers'")
            }
            servers.append(address)
        }
        return (network, servers)
    }
}
