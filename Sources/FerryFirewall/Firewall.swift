// The firewall's three operations over the saved state and one nftables context. Callers
// serialise calls (Ferry holds its lock file around setup and teardown).
//
// Each operation computes the new state, builds one batch from it and applies it. State is
// written only after the batch succeeded, so a failed setup leaves rules and state as they
// were. A batch can fail because the table was flushed behind Ferry's back (its chains are
// gone while the state still names them); then the whole table is rebuilt from the state.
import FerrySystem

/// Ferry's nftables firewall: published ports, masquerade and forwarding rules.
public final class Firewall {
    public let store: FirewallStateStore
    private let nftables: NFTables

    public init(configDirectory: String) throws(FirewallError) {
        store = FirewallStateStore(configDirectory: configDirectory)
        do {
            nftables = try NFTables()
        } catch {
            throw .nftables(error)
        }
    }

    /// Adds (or replaces) a container's rules on a network, creating the network's own.
    public func setup(network: NetworkRules, container: ContainerRules) throws(FirewallError) {
        try network.validate()
        guard container.network == network.name else {
            throw .invalid("container \(container.id) is for network \(container.network)")
        }
        try container.validate(on: network)

        var all = try store.loadAll()
        var state = all.first { $0.network.name == network.name } ?? NetworkState(network: network)
        state.network = network
        state.containers.removeAll { $0.id == container.id }
        state.containers.append(container)
        all.removeAll { $0.network.name == network.name }
        all.append(state)

        let batch = Self.setupBatch(all: all, network: network, container: container)
        try apply(batch, all: all, operation: "setting up rules for \(container.id)")
        try store.save(state)
    }

    // FIXME: conntrack entries of the removed DNAT (udp flows above all) live on until they
    // time out; netavark deletes them, Ferry does not yet.
    /// Removes a container's rules; the network's own go with its last container. A
    /// container Ferry has no rules for is not an error (teardown may be repeated).
    public func teardown(network name: String, containerID: String) throws(FirewallError) {
        var all = try store.loadAll()
        guard let index = all.firstIndex(where: { $0.network.name == name }),
            let container = all[index].containers.first(where: { $0.id == containerID })
        else { return }
        var state = all[index]
        state.containers.removeAll { $0.id == containerID }
        all[index] = state
        all.removeAll { $0.containers.isEmpty }

        let batch = Self.teardownBatch(all: all, removed: container, network: state)
        try apply(batch, all: all, operation: "removing rules for \(containerID)")
        try store.save(state)
    }

    /// Rebuilds the whole table from the saved state, e.g. after `nft flush ruleset`.
    public func reload() throws(FirewallError) {
        let all = try store.loadAll()
        try run(Self.reloadBatch(all: all), operation: "reloading firewall rules")
    }

    /// Applies a batch; if it fails, rebuilds the whole table from `all` instead, and
    /// reports the first failure only if that fails too.
    private func apply(_ batch: String, all: [NetworkState], operation: String)
        throws(FirewallError)
    {
        do {
            try run(batch, operation: operation)
        } catch {
            Log.debug("firewall", "\(error); rebuilding the whole table")
            do {
                try run(Self.reloadBatch(all: all), operation: operation)
            } catch _ {
                throw error
            }
        }
    }

    private func run(_ batch: String, operation: String) throws(FirewallError) {
        Log.trace("firewall", "batch:\n\(batch)")
        do {
            try nftables.run(batch, operation: operation)
        } catch {
            throw .nftables(error)
        }
    }
}

extension Firewall {
    /// The batch that adds one container's rules (and its network's) to the table; `all`
    /// is the state after the change.
    public static func setupBatch(
        all: [NetworkState], network: NetworkRules, container: ContainerRules
    ) -> String {
        let lines =
            RuleGenerator.base() + RuleGenerator.network(network)
            + RuleGenerator.container(container) + dispatch(all)
        return text(lines)
    }

    /// The batch that removes one container's rules, and its network's when `network` has
    /// no container left; `all` is the state after the change.
    public static func teardownBatch(
        all: [NetworkState], removed container: ContainerRules, network: NetworkState
    ) -> String {
        if all.isEmpty { return text(RuleGenerator.removeTable()) }
        var lines = RuleGenerator.base() + dispatch(all)
        lines += RuleGenerator.removeContainer(container)
        if network.containers.isEmpty { lines += RuleGenerator.removeNetwork(network.network) }
        return text(lines)
    }

    /// The batch that replaces the whole table with what `all` describes.
    public static func reloadBatch(all: [NetworkState]) -> String {
        var lines = RuleGenerator.removeTable()
        if all.isEmpty { return text(lines) }
        lines += RuleGenerator.base()
        for state in all.sorted(by: { $0.network.name < $1.network.name }) {
            lines += RuleGenerator.network(state.network)
            for container in state.containers.sorted(by: { $0.id < $1.id }) {
                lines += RuleGenerator.container(container)
            }
        }
        return text(lines + dispatch(all))
    }

    static func dispatch(_ all: [NetworkState]) -> [String] {
        RuleGenerator.dispatch(
            networks: all.map(\.network), containers: all.flatMap(\.containers))
    }

    static func text(_ lines: [String]) -> String {
        lines.joined(separator: "\n") + "\n"
    }
}
