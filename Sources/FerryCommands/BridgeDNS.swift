import FerryAddress
import FerryBridge
import FerryDNS
import FerrySystem
import FerryWire

/// The DNS part of a bridge setup or teardown: hands aardvark-dns the plain values of each
/// DNS-enabled network and fills the StatusBlock's DNS fields as netavark does.
struct BridgeDNS {
    /// nil when the aardvark-dns binary is missing; netavark then skips DNS too.
    let aardvark: Aardvark?

    init(_ options: GlobalOptions, port: UInt16) {
        let binary = options.aardvarkBinary ?? Aardvark.defaultBinary
        if FileSystem.exists(binary) {
            aardvark = Aardvark(stateDirectory: options.stateDirectory, binary: binary, port: port)
        } else {
            aardvark = nil
        }
    }

    /// Adds the container to aardvark-dns for every DNS-enabled network with a gateway, and
    /// sets the search domain and name servers in those networks' answers.
    func setup(
        _ configs: [BridgeConfig], _ options: NetworkOptions,
        answer: inout [String: StatusBlock]
    ) throws {
        let entries = Self.entries(configs, options)
        guard !entries.isEmpty else { return }
        guard let aardvark else {
            Log.warning("dns", "aardvark-dns binary not found; dns is not set up")
            return
        }
        try withContext("setting up dns") { try aardvark.add(entries) }
        for entry in entries {
            answer[entry.network]?.dnsSearchDomains = ["dns.podman"]
            answer[entry.network]?.dnsServerIPs = entry.bindAddresses
        }
    }

    /// Removes the container's lines; aardvark-dns reloads, or stops with its last network.
    func teardown(_ configs: [BridgeConfig], containerID: String) -> [any Error] {
        let networks = configs.filter(\.dnsEnabled).map(\.networkName)
        guard let aardvark, !networks.isEmpty else { return [] }
        return aardvark.remove(containerID: containerID, networks: networks).map {
            ContextError("tearing down dns", $0)
        }
    }

    /// One entry per DNS-enabled network that has a gateway for aardvark-dns to bind.
    static func entries(_ configs: [BridgeConfig], _ options: NetworkOptions)
        -> [Aardvark.NetworkEntry]
    {
        configs.filter { $0.dnsEnabled && !$0.bridgeAddresses.isEmpty }.map { config in
            Aardvark.NetworkEntry(
                network: config.networkName,
                bindAddresses: config.bridgeAddresses.map(\.address),
                upstreamServers: options.networkInfo[config.networkName]?.networkDNSServers ?? [],
                entry: AardvarkEntry(
                    containerID: options.containerID,
                    addresses: config.containerAddresses.map(\.address),
                    names: [options.containerName] + config.aliases,
                    dnsServers: options.dnsServers ?? []))
        }
    }
}
