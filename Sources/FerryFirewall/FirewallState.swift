// What Ferry has applied, saved under `<config>/firewall/networks/<network>.json`: the
// network's rules and every container's share of it. `firewall-reload` rebuilds the whole
// table from these files, and each batch rebuilds the fixed chains' jumps from them.
import FerryAddress
import FerrySystem
import Foundation

/// One network's saved rules and its containers'.
public struct NetworkState: Hashable, Sendable {
    public var network: NetworkRules
    public var containers: [ContainerRules]

    public init(network: NetworkRules, containers: [ContainerRules] = []) {
        self.network = network
        self.containers = containers
    }
}

/// The state directory: one JSON file per network.
public struct FirewallStateStore: Sendable {
    public let directory: String

    /// `configDirectory` is Ferry's `--config`; the files go in its `firewall/networks`.
    public init(configDirectory: String) {
        directory = configDirectory + "/firewall/networks"
    }

    func path(_ network: String) -> String { "\(directory)/\(network).json" }

    /// Every saved network, sorted by name.
    public func loadAll() throws(FirewallError) -> [NetworkState] {
        var states: [NetworkState] = []
        for name in FileSystem.listDirectory(directory) where name.hasSuffix(".json") {
            let network = String(name.dropLast(".json".count))
            if let state = try load(network) { states.append(state) }
        }
        return states
    }

    /// One network's saved state, nil when there is none.
    public func load(_ network: String) throws(FirewallError) -> NetworkState? {
        let file = path(network)
        guard FileSystem.exists(file) else { return nil }
        do {
            let text = try FileSystem.readString(file)
            let saved = try JSONDecoder().decode(SavedNetwork.self, from: Data(text.utf8))
            return try saved.state()
        } catch let error as FirewallError {
            throw error
        } catch {
            throw .state("reading firewall state \(file)", error)
        }
    }

    /// Saves a network's state, or removes its file when no container is left.
    public func save(_ state: NetworkState) throws(FirewallError) {
        let file = path(state.network.name)
        do {
            if state.containers.isEmpty {
                try FileSystem.remove(file)
                return
            }
            try FileSystem.makeDirectories(directory)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(SavedNetwork(state))
            try FileSystem.writeAtomically(file, String(decoding: data, as: UTF8.self) + "\n")
        } catch {
            throw .state("writing firewall state \(file)", error)
        }
    }
}

// The file format: plain strings and numbers, in netavark's spelling where it has one.
private struct SavedNetwork: Codable {
    var name: String
    var subnets: [String]
    var `internal`: Bool
    /// Absent in files written before isolation existed: no bridge, no isolation.
    var bridge: String?
    var isolate: Isolation?
    var containers: [SavedContainer]

    init(_ state: NetworkState) {
        name = state.network.name
        subnets = state.network.subnets.map(\.description)
        `internal` = state.network.isInternal
        bridge = state.network.bridge.isEmpty ? nil : state.network.bridge
        isolate = state.network.isolation
        containers = state.containers.map(SavedContainer.init)
    }

    func state() throws(FirewallError) -> NetworkState {
        var networks: [IPNetwork] = []
        for text in subnets {
            guard let subnet = IPNetwork(text) else { throw bad("subnet \(text)") }
            networks.append(subnet)
        }
        let network = NetworkRules(
            name: name, subnets: networks, isInternal: `internal`, bridge: bridge ?? "",
            isolation: isolate ?? .off)
        var rules: [ContainerRules] = []
        for container in containers { rules.append(try container.rules(network: name)) }
        return NetworkState(network: network, containers: rules)
    }
}

private struct SavedContainer: Codable {
    var id: String
    var addresses: [String]
    var ports: [SavedPort]

    init(_ rules: ContainerRules) {
        id = rules.id
        addresses = rules.addresses.map(\.description)
        ports = rules.ports.map(SavedPort.init)
    }

    func rules(network: String) throws(FirewallError) -> ContainerRules {
        var parsed: [IPAddress] = []
        for text in addresses {
            guard let address = IPAddress(text) else { throw bad("address \(text)") }
            parsed.append(address)
        }
        var forwards: [PortForward] = []
        for port in ports { forwards.append(try port.forward()) }
        return ContainerRules(id: id, network: network, addresses: parsed, ports: forwards)
    }
}

private struct SavedPort: Codable {
    var `protocol`: String
    var host_ip: String
    var host_port: UInt16
    var container_port: UInt16
    var range: UInt16

    init(_ port: PortForward) {
        `protocol` = port.transport.rawValue
        host_ip = port.host.description
        host_port = port.hostPort
        container_port = port.containerPort
        range = port.count
    }

    func forward() throws(FirewallError) -> PortForward {
        guard let transport = Transport(rawValue: `protocol`) else {
            throw bad("protocol \(`protocol`)")
        }
        guard let host = HostAddress(hostIP: host_ip) else { throw bad("host_ip \(host_ip)") }
        return PortForward(
            transport, host: host, hostPort: host_port, containerPort: container_port,
            count: range)
    }
}

private func bad(_ what: String) -> FirewallError {
    .state("reading firewall state", MessageError("bad \(what)"))
}
