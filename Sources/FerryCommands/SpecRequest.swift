import FerryBridge
import FerrySystem
import FerryWire

#if canImport(Glibc)
    import Glibc
#endif

/// One setup or teardown request: the decoded spec and who is asking.
struct SpecRequest {
    var options: NetworkOptions
    /// `--rootless true`: Podman runs the helper inside its rootless network namespace.
    var rootless: Bool

    static func load(_ global: GlobalOptions) throws -> SpecRequest {
        let data = try readSpec(global)
        let options = try NetworkOptions.decode(data)
        return SpecRequest(options: options, rootless: global.rootless ?? (geteuid() != 0))
    }

    /// The configs to tear down. Features that setup refuses (published ports, DNS) are
    /// not refused here: a teardown must clean whatever exists.
    func configsForTeardown() throws -> [BridgeConfig] {
        try options.orderedNetworks.map { name, perNetwork in
            try BridgeConfig.make(
                name: name, network: options.networkInfo[name]!, options: perNetwork,
                rootless: rootless, portMappingsRequested: !options.portMappings.isEmpty)
        }
    }
}
