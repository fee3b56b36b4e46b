import FerryAddress

/// A DHCPv6 client message (RFC 8415), parsed in place from a UDP payload.
///
/// Accepted: SOLICIT, REQUEST, CONFIRM, RENEW, REBIND and INFORMATION-REQUEST whose options
/// tile the message exactly. The client identifier (at most 130 bytes, RFC 8415 11.1), the
/// server identifier, the first IA_NA's IAID and rapid commit are recorded in one walk.
public struct DHCPv6Message {
    public static let clientPort: UInt16 = 546
    public static let serverPort: UInt16 = 547

    public static let solicit: UInt8 = 1
    public static let advertise: UInt8 = 2
    public static let request: UInt8 = 3
    public static let confirm: UInt8 = 4
    public static let renew: UInt8 = 5
    public static let rebind: UInt8 = 6
    public static let reply: UInt8 = 7
    public static let informationRequest: UInt8 = 11

    public static let optionClientID: UInt16 = 1
    public static let optionServerID: UInt16 = 2
    public static let optionIANA: UInt16 = 3
    public static let optionIAAddress: UInt16 = 5
    public static let optionStatusCode: UInt16 = 13
    public static let optionRapidCommit: UInt16 = 14
    public static let optionDNSServers: UInt16 = 23

    public let bytes: PacketBytes
    /// Offset and length of the client identifier's value, when present.
    public private(set) var clientIDOffset = 0
    public private(set) var clientIDLength = 0
    public private(set) var serverIDOffset = 0
    public private(set) var serverIDLength = 0
    public private(set) var identityAssociationID: UInt32? = nil
    public private(set) var rapidCommit = false

    public init?(_ bytes: PacketBytes) {
        guard bytes.count >= 4 else { return nil }
        switch bytes.u8(0) {
        case Self.solicit, Self.request, Self.confirm, Self.renew, Self.rebind,
            Self.informationRequest:
            break
        default:
            return nil
        }
        self.bytes = bytes

        var offset = 4
        while offset < bytes.count {
            guard bytes.contains(offset, 4) else { return nil }
            let code = bytes.u16(offset)
            let length = Int(bytes.u16(offset + 2))
            guard bytes.contains(offset + 4, length) else { return nil }
            let value = offset + 4
            switch code {
            case Self.optionClientID where clientIDLength == 0:
                guard length >= 2, length <= 130 else { return nil }
                (clientIDOffset, clientIDLength) = (value, length)
            case Self.optionServerID where serverIDLength == 0:
                guard length >= 2, length <= 130 else { return nil }
                (serverIDOffset, serverIDLength) = (value, length)
            case Self.optionIANA where identityAssociationID == nil:
                guard length >= 12 else { return nil }
                identityAssociationID = bytes.u32(value)
            case Self.optionRapidCommit:
                rapidCommit = true
            default:
                break
            }
            offset = value + length
        }
    }

    public var messageType: UInt8 { bytes.u8(0) }
    public var transactionID: UInt32 { bytes.u32(0) & 0xFF_FFFF }
    public var clientID: PacketBytes? {
        clientIDLength == 0 ? nil : bytes.slice(clientIDOffset, clientIDLength)
    }
    public var serverID: PacketBytes? {
        serverIDLength == 0 ? nil : bytes.slice(serverIDOffset, serverIDLength)
    }
}

/// What the engine hands out over DHCPv6: fixed at start-up, read per packet.
public struct DHCPv6Lease: Sendable {
    public var serverMAC: EthernetAddress
    /// The replies' source: the engine's link-local address.
    public var serverAddress: IPAddress
    public var clientAddress: IPAddress
    public var dnsServers: [IPAddress]
    public var preferredLifetime: UInt32
    public var validLifetime: UInt32

    public init(
        serverMAC: EthernetAddress, serverAddress: IPAddress, clientAddress: IPAddress,
        dnsServers: [IPAddress] = [], preferredLifetime: UInt32 = .max,
        validLifetime: UInt32 = .max
    ) {
        self.serverMAC = serverMAC
        self.serverAddress = serverAddress
        self.clientAddress = clientAddress
        self.dnsServers = dnsServers
        self.preferredLifetime = preferredLifetime
        self.validLifetime = validLifetime
    }
}
