import FerryAddress

/// A static route of a network (`podman network create --route`), added in the container.
///
/// Netavark's newer versions add `route_type`; a unicast route needs a gateway, the other
/// kinds must not have one. The bridge validation checks that, since decoding cannot.
public struct Route: Decodable, Equatable, Sendable {
    public enum Kind: String, Sendable, Equatable {
        case unicast, blackhole, unreachable, prohibit
    }

    public var destination: IPNetwork
    public var gateway: IPAddress?
    public var metric: UInt32?
    /// Unicast when the field is absent or empty.
    public var kind: Kind

    public init(
        destination: IPNetwork, gateway: IPAddress? = nil, metric: UInt32? = nil,
        kind: Kind = .unicast
    ) {
        self.destination = destination
        self.gateway = gateway
        self.metric = metric
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey {
        case destination, gateway, metric
        case kind = "route_type"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: CodingKeys.self)
        destination = try fields.decodeNetwork(.destination)
        gateway = try fields.decodeAddressIfPresent(.gateway)
        metric = try fields.decodeIntegerIfPresent(.metric, in: 0...Int(UInt32.max)).map {
            UInt32($0)
        }
        let kindText = try fields.decodeIfPresent(String.self, forKey: .kind) ?? ""
        if kindText.isEmpty {
            kind = .unicast
        } else if let parsed = Kind(rawValue: kindText) {
            kind = parsed
        } else {
            throw FieldError(
                fields.codingPath + [CodingKeys.kind],
                "invalid route type \(kindText.quoted) (expected unicast, blackhole, "
                    + "unreachable or prohibit)")
        }
    }
}
