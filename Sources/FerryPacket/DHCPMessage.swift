import FerryAddress

/// A DHCPv4 client message (RFC 2131, options RFC 2132), parsed in place from a UDP payload.
///
/// Accepted: a BOOTREQUEST for Ethernet (htype 1, hlen 6) with the magic cookie and an
/// option list that stays inside the message. The options the server needs are recorded
/// during the single walk; others are skipped.
public struct DHCPMessage {
    public static let serverPort: UInt16 = 67
    public static let clientPort: UInt16 = 68
    public static let fixedLength = 240
    public static let magicCookie: UInt32 = 0x6382_5363

    public static let discover: UInt8 = 1
    public static let offer: UInt8 = 2
    public static let request: UInt8 = 3
    public static let decline: UInt8 = 4
    public static let acknowledge: UInt8 = 5
    public static let negativeAcknowledge: UInt8 = 6
    public static let release: UInt8 = 7
    public static let inform: UInt8 = 8

    public let bytes: PacketBytes
    public private(set) var messageType: UInt8 = 0
    public private(set) var requestedAddress: IPAddress? = nil
    public private(set) var serverIdentifier: IPAddress? = nil

    public init?(_ bytes: PacketBytes) {
        guard bytes.count >= Self.fixedLength, bytes.u8(0) == 1, bytes.u8(1) == 1,
            bytes.u8(2) == 6, bytes.u32(236) == Self.magicCookie
        else { return nil }
        self.bytes = bytes

        var offset = Self.fixedLength
        var ended = false
        while offset < bytes.count {
            let code = bytes.u8(offset)
            if code == 0 {
                offset += 1
                continue
            }
            if code == 255 {
                ended = true
                break
            }
            guard bytes.contains(offset, 2) else { return nil }
            let length = Int(bytes.u8(offset + 1))
            guard bytes.contains(offset + 2, length) else { return nil }
            switch (code, length) {
            case (53, 1): messageType = bytes.u8(offset + 2)
            case (50, 4): requestedAddress = bytes.ipv4(offset + 2)
            case (54, 4): serverIdentifier = bytes.ipv4(offset + 2)
            default: break
            }
            offset += 2 + length
        }
        guard ended, messageType != 0 else { return nil }
    }

    public var transactionID: UInt32 { bytes.u32(4) }
    public var seconds: UInt16 { bytes.u16(8) }
    /// The client asks for broadcast replies (it cannot receive unicast before configuring).
    public var broadcastFlag: Bool { bytes.u16(10) & 0x8000 != 0 }
    public var clientAddress: IPAddress { bytes.ipv4(12) }
    public var relayAddress: IPAddress { bytes.ipv4(24) }
    public var clientHardwareAddress: EthernetAddress { bytes.ethernet(28) }
}

/// What the engine hands out over DHCPv4: fixed at start-up, read per packet.
public struct DHCPLease: Sendable {
    public var serverMAC: EthernetAddress
    /// The server identifier and the replies' source address (the gateway, as pasta does).
    public var serverAddress: IPAddress
    public var clientAddress: IPAddress
    public var prefixLength: Int
    public var router: IPAddress?
    public var dnsServers: [IPAddress]
    public var leaseSeconds: UInt32
    public var mtu: UInt16?

    public init(
        serverMAC: EthernetAddress, serverAddress: IPAddress, clientAddress: IPAddress,
        prefixLength: Int, router: IPAddress?, dnsServers: [IPAddress] = [],
        leaseSeconds: UInt32 = .max, mtu: UInt16? = nil
    ) {
        self.serverMAC = serverMAC
        self.serverAddress = serverAddress
        self.clientAddress = clientAddress
        self.prefixLength = prefixLength
        self.router = router
        self.dnsServers = dnsServers
        self.leaseSeconds = leaseSeconds
        self.mtu = mtu
    }

    public var subnetMask: UInt32 {
        prefixLength <= 0 ? 0 : prefixLength >= 32 ? .max : .max << UInt32(32 - prefixLength)
    }
}
