import FerryAddress

/// Why running aardvark-dns or editing its files failed.
public enum AardvarkError: Error, CustomStringConvertible, Equatable, Sendable {
    /// NETAVARK_DNS_PORT is not a port number.
    case invalidPort(String)
    case invalidFile(path: String, reason: String)
    /// `update` for a network that has no file: no container of it uses DNS.
    case unknownNetwork(String)
    /// aardvark-dns did not come up; `output` is what it printed, possibly empty.
    case startFailed(reason: String, output: String)
    /// Reloading needs a running aardvark-dns and there is none.
    case notRunning(configDirectory: String)
    case notListening(addresses: [String], output: String)

    public var description: String {
        switch self {
        case .invalidPort(let value):
            "invalid NETAVARK_DNS_PORT \(value.debugDescription): expected a port number 1-65535"
        case .invalidFile(let path, let reason):
            "invalid aardvark-dns file \(path): \(reason)"
        case .unknownNetwork(let name):
            "network \(name) has no aardvark-dns entries (no container on it uses dns)"
        case .startFailed(let reason, let output):
            "starting aardvark-dns: \(reason)" + Self.quoting(output)
        case .notRunning(let directory):
            "aardvark-dns is not running for \(directory)"
        case .notListening(let addresses, let output):
            "starting aardvark-dns: it is not listening on \(addresses.joined(separator: ", "))"
                + Self.quoting(output)
        }
    }

    private static func quoting(_ output: String) -> String {
        output.isEmpty ? "" : ": \(output)"
    }
}
