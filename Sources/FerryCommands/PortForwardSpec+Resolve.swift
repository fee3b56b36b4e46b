import FerryAddress
import FerryEngine

/// From the `-t` / `-u` / `-T` / `-U` specs as written to the ranges the engine listens on.
///
/// Each rule's ranges, less its exclusions, become engine forwards, cut where an exclusion
/// falls inside one (a translated range keeps each port's own target). A rule of exclusions
/// only forwards every port but those and the host's ephemeral ports, skipping ports that
/// cannot be bound, as pasta does. `none` forwards nothing.
extension PortForwardSpec {
    /// Linux's default net.ipv4.ip_local_port_range.
    public static let defaultEphemeralPorts: ClosedRange<UInt16> = 32768...60999

    /// The fixed forwards of one spec. `auto` has none: the engine watches the other side
    /// for it (EngineConfig.AutoForward). `all` and interface-bound rules are refused.
    public func forwards(
        _ transport: EngineConfig.Forward.Transport,
        ephemeral: ClosedRange<UInt16> = Self.defaultEphemeralPorts
    ) throws(PastaUsageError) -> [EngineConfig.Forward] {
        switch self {
        case .none, .auto:
            return []
        case .all:
            throw .target("port forwarding 'all' is not supported: name the ports")
        case .ports(let rule):
            return try rule.forwards(transport, ephemeral: ephemeral)
        }
    }

    /// Every spec of one option, resolved in order.
    public static func forwards(
        _ specs: [PortForwardSpec], _ transport: EngineConfig.Forward.Transport,
        ephemeral: ClosedRange<UInt16> = Self.defaultEphemeralPorts
    ) throws(PastaUsageError) -> [EngineConfig.Forward] {
        var result: [EngineConfig.Forward] = []
        for spec in specs { result += try spec.forwards(transport, ephemeral: ephemeral) }
        return result
    }

    /// The `-T` / `-U` specs: as `forwards`, with the container's loopback as the only
    /// address a rule may bind (127.0.0.1 or ::1; none means both).
    public static func namespaceForwards(
        _ specs: [PortForwardSpec], _ transport: EngineConfig.Forward.Transport,
        ephemeral: ClosedRange<UInt16> = Self.defaultEphemeralPorts
    ) throws(PastaUsageError) -> [EngineConfig.Forward] {
        let result = try forwards(specs, transport, ephemeral: ephemeral)
        if let bound = result.lazy.compactMap(\.address).first(where: {
            !($0 == .v4(0x7F00_0001) || $0 == .v6(0, 1))
        }) {
            throw .target(
                "forwarding from the container's \(bound) is not supported: only its loopback")
        }
        return result
    }
}

extension PortForwardRule {
    func forwards(
        _ transport: EngineConfig.Forward.Transport, ephemeral: ClosedRange<UInt16>
    ) throws(PastaUsageError) -> [EngineConfig.Forward] {
        if let interface {
            throw .target("binding forwarded ports to interface \(interface) is not supported")
        }
        if ranges.isEmpty {
            // Exclusions only: every port but those and the ephemeral ones, best effort.
            return Self.subtract(excluded + [ephemeral], from: 1...65535).map {
                EngineConfig.Forward(transport, address: address, ports: $0, bestEffort: true)
            }
        }
        var result: [EngineConfig.Forward] = []
        for range in ranges {
            let first = range.ports.lowerBound
            let targetFirst = range.target?.lowerBound ?? first
            for piece in Self.subtract(excluded, from: range.ports) {
                result.append(
                    EngineConfig.Forward(
                        transport, address: address, ports: piece,
                        targetFirst: targetFirst + (piece.lowerBound - first)))
            }
        }
        return result
    }

    /// What is left of `range` without the ports of `holes`, as ranges in order.
    static func subtract(_ holes: [ClosedRange<UInt16>], from range: ClosedRange<UInt16>)
        -> [ClosedRange<UInt16>]
    {
        var pieces = [range]
        for hole in holes {
            pieces = pieces.flatMap { piece -> [ClosedRange<UInt16>] in
                guard piece.overlaps(hole) else { return [piece] }
                var left: [ClosedRange<UInt16>] = []
                if hole.lowerBound > piece.lowerBound {
                    left.append(piece.lowerBound...(hole.lowerBound - 1))
                }
                if hole.upperBound < piece.upperBound {
                    left.append((hole.upperBound + 1)...piece.upperBound)
                }
                return left
            }
        }
        return pieces
    }
}
