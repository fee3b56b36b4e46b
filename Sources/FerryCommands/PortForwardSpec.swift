import FerryAddress

/// One `-t`, `-u`, `-T` or `-U` argument of `ferry pasta`, as pasta spells it:
///
///     none | auto | all | [ADDRESS[%INTERFACE]/]PORTS[,PORTS...]
///     PORTS: PORT | FIRST-LAST | PORTS:TARGET | ~PORT | ~FIRST-LAST
///
/// e.g. `8080`, `22,80-90`, `8080:80`, `8080-8081:80-81`, `127.0.0.1/8080`, `~3000`. A rule
/// made of exclusions only forwards every port but those. `-t` and `-u` are resolved to
/// the engine's forwards in PortForwardSpec+Resolve.swift, `-T` and `-U` likewise (on the
/// container's loopback); `auto` becomes EngineConfig.AutoForward.
public enum PortForwardSpec: Equatable, Sendable, CustomStringConvertible {
    case none
    /// Forward what is bound on the other side, found by scanning.
    case auto
    case all
    case ports(PortForwardRule)

    public init(parsing text: String) throws(PastaUsageError) {
        switch text {
        case "none": self = .none
        case "auto": self = .auto
        case "all": self = .all
        default: self = .ports(try PortForwardRule(parsing: text))
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .auto: "auto"
        case .all: "all"
        case .ports(let rule): rule.description
        }
    }
}

/// Ports forwarded from one side to the other, optionally bound to an address or device.
public struct PortForwardRule: Equatable, Sendable, CustomStringConvertible {
    public var address: IPAddress?
    public var interface: String?
    public var ranges: [PortForwardRange]
    public var excluded: [ClosedRange<UInt16>]

    public init(
        address: IPAddress? = nil, interface: String? = nil, ranges: [PortForwardRange],
        excluded: [ClosedRange<UInt16>] = []
    ) {
        self.address = address
        self.interface = interface
        self.ranges = ranges
        self.excluded = excluded
    }

    public init(parsing text: String) throws(PastaUsageError) {
        let invalid = PastaUsageError.invalidPortSpec(text)
        var portsText = Substring(text)

        // ADDRESS[%INTERFACE]/ in front; the port list has no slash of its own.
        if let slash = text.lastIndex(of: "/") {
            var bind = text[..<slash]
            portsText = text[text.index(after: slash)...]
            if let percent = bind.firstIndex(of: "%") {
                interface = String(bind[bind.index(after: percent)...])
                bind = bind[..<percent]
                if interface?.isEmpty ?? true { throw invalid }
            }
            if !bind.isEmpty {
                guard let parsed = IPAddress(String(bind)) else { throw invalid }
                address = parsed
            }
        }

        ranges = []
        excluded = []
        guard !portsText.isEmpty else { throw invalid }
        for item in portsText.split(separator: ",", omittingEmptySubsequences: false) {
            if item.hasPrefix("~") {
                guard let range = Self.portRange(item.dropFirst()) else { throw invalid }
                excluded.append(range)
                continue
            }
            let sides = item.split(separator: ":", omittingEmptySubsequences: false)
            guard sides.count <= 2, let ports = Self.portRange(sides[0]) else { throw invalid }
            var target: ClosedRange<UInt16>?
            if sides.count == 2 {
                guard let mapped = Self.portRange(sides[1]) else { throw invalid }
                // A single target port with a range maps the range onto ports from there.
                let length = ports.upperBound - ports.lowerBound
                if mapped.count == 1 && length > 0 {
                    guard Int(mapped.lowerBound) + Int(length) <= 65535 else { throw invalid }
                    target = mapped.lowerBound...(mapped.lowerBound + length)
                } else {
                    guard mapped.count == ports.count else { throw invalid }
                    target = mapped
                }
            }
            ranges.append(PortForwardRange(ports: ports, target: target))
        }
    }

    /// PORT or FIRST-LAST, each 1-65535, FIRST <= LAST.
    static func portRange(_ text: Substring) -> ClosedRange<UInt16>? {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 1 || bounds.count == 2 else { return nil }
        guard let first = port(bounds[0]), let last = port(bounds.last!), first <= last else {
            return nil
        }
        return first...last
    }

    static func port(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber),
            let value = UInt16(text), value > 0
        else { return nil }
        return value
    }

    public var description: String {
        var text = ""
        if address != nil || interface != nil {
            text += (address.map { "\($0)" } ?? "") + (interface.map { "%\($0)" } ?? "") + "/"
        }
        func spell(_ range: ClosedRange<UInt16>) -> String {
            range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
        }
        let items =
            ranges.map { spell($0.ports) + ($0.target.map { ":" + spell($0) } ?? "") }
            + excluded.map { "~" + spell($0) }
        return text + items.joined(separator: ",")
    }
}

/// Ports on one side and, when they differ, the ports they reach on the other.
public struct PortForwardRange: Equatable, Sendable {
    public var ports: ClosedRange<UInt16>
    /// Nil when the ports are the same on both sides.
    public var target: ClosedRange<UInt16>?

    public init(ports: ClosedRange<UInt16>, target: ClosedRange<UInt16>? = nil) {
        self.ports = ports
        self.target = target
    }
}
