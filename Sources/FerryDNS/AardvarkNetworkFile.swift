import FerryAddress

/// The contents of `<config>/aardvark-dns/<network>`, the file aardvark-dns reads for one
/// network.
///
/// The first line holds the gateway addresses aardvark binds on (comma-separated), then,
/// when the network has upstream servers of its own, a space and those servers. Every
/// other line is one container (`AardvarkEntry`). Container lines are kept as text, so a
/// line this version does not understand survives an edit untouched.
public struct AardvarkNetworkFile: Equatable, Sendable {
    public var bindAddresses: [IPAddress]
    /// The network's `network_dns_servers`, where aardvark forwards names it does not own.
    public var upstreamServers: [IPAddress]
    public var containerLines: [String]

    public init(
        bindAddresses: [IPAddress], upstreamServers: [IPAddress] = [],
        containerLines: [String] = []
    ) {
        self.bindAddresses = bindAddresses
        self.upstreamServers = upstreamServers
        self.containerLines = containerLines
    }

    /// Parses a file's text; the header must be there and its addresses must parse.
    public init(text: String, path: String) throws(AardvarkError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            .map(String.init)
        guard !lines.isEmpty else { throw .invalidFile(path: path, reason: "it is empty") }
        let header = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard header.count <= 2, let binds = AardvarkEntry.addresses(header[0]),
            let upstream = AardvarkEntry.addresses(header.count == 2 ? header[1] : "")
        else {
            throw .invalidFile(path: path, reason: "the first line is not '<gateways> [<servers>]'")
        }
        bindAddresses = binds
        upstreamServers = upstream
        containerLines = lines
    }

    /// The file's text, each line ending in a newline.
    public var text: String {
        var header = joined(bindAddresses)
        if !upstreamServers.isEmpty { header += " " + joined(upstreamServers) }
        return ([header] + containerLines).map { $0 + "\n" }.joined()
    }

    /// The container IDs that have a line, in file order.
    public var containerIDs: [String] {
        containerLines.compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// Adds a container's line, replacing an earlier line of the same container.
    public mutating func add(_ entry: AardvarkEntry) {
        remove(containerID: entry.containerID)
        containerLines.append(entry.line)
    }

    /// Removes the container's lines (matched on the first field, not a substring); returns
    /// whether there was one.
    @discardableResult
    public mutating func remove(containerID: String) -> Bool {
        let before = containerLines.count
        containerLines.removeAll {
            $0.split(separator: " ", maxSplits: 1).first.map(String.init) == containerID
        }
        return containerLines.count != before
    }
}
