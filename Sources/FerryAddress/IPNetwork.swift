/// An address with a prefix length, as in "10.88.0.0/16" or "fd00::2/64".
///
/// The address need not be the network's first one: "10.88.0.2/16" is an interface address
/// in that subnet. `network` gives the masked form.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.family.bitCount else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses "ADDRESS/PREFIX"; a bare address gets the full-length prefix when
    /// `allowingBareAddress` is set.
    public init?(_ text: String, allowingBareAddress: Bool = false) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        if parts.count == 1 {
            guard allowingBareAddress else { return nil }
            self.init(address: address, prefixLength: address.family.bitCount)
            return
        }
        guard parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy(\.isASCII),
            parts[1].allSatisfy(\.isNumber), parts[1].count <= 3,
            let length = Int(parts[1])
        else { return nil }
        self.init(address: address, prefixLength: length)
    }

    public var family: IPAddress.Family { address.family }

    /// The first address of the subnet.
    public var network: IPAddress { masked(address, ones: true) }

    /// The subnet in canonical form: "10.88.0.0/16".
    public var canonical: IPNetwork { IPNetwork(address: network, prefixLength: prefixLength)! }

    public func contains(_ other: IPAddress) -> Bool {
        other.family == family && masked(other, ones: true) == network
    }

    /// Whether the two subnets share any address.
    public func overlaps(_ other: IPNetwork) -> Bool {
        guard other.family == family else { return false }
        return contains(other.network) || other.contains(network)
    }

    /// The IPv4 broadcast address (all host bits set); nil for IPv6.
    public var broadcast: IPAddress? {
        guard case .v4(let value) = address else { return nil }
        let hostBits: UInt32 = prefixLength == 32 ? 0 : UInt32.max >> UInt32(prefixLength)
        return .v4(value | hostBits)
    }

    public var description: String { "\(address)/\(prefixLength)" }

    private func masked(_ value: IPAddress, ones: Bool) -> IPAddress {
        switch value {
        case .v4(let raw):
            let mask: UInt32 = prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
            return .v4(raw & mask)
        case .v6(let high, let low):
            let highMask: UInt64 =
                prefixLength >= 64
                ? .max : prefixLength == 0 ? 0 : .max << UInt64(64 - prefixLength)
            let lowMask: UInt64 =
                prefixLength <= 64
                ? 0 : prefixLength == 128 ? .max : .max << UInt64(128 - prefixLength)
            return .v6(high & highMask, low & lowMask)
        }
    }
}
