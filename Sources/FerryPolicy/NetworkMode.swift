/// How Ferry connects a container to a network.
public enum NetworkMode: String, Sendable, CaseIterable, Codable {
    /// A Linux bridge and veth pair, set up in this process (netavark's bridge driver).
    case bridge
    /// A macvlan interface on a host interface (netavark's macvlan driver).
    case macvlan
    /// Ferry's own user-mode engine, with pasta's command line.
    case pasta
    /// The slirp4netns program.
    case slirp4netns
}

/// What the decision needs to know of one network of the spec. Built from the wire
/// format's `Network` by the command layer, so the policy knows nothing of JSON.
public struct NetworkRequest: Sendable, Equatable {
    public var name: String
    /// "bridge", "macvlan", "pasta", "slirp4netns" or "auto".
    public var driver: String
    public var options: [String: String]

    public init(name: String, driver: String, options: [String: String] = [:]) {
        self.name = name
        self.driver = driver
        self.options = options
    }
}
