import FerryAddress
import FerryPacket
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension Engine {
    /// Reads and handles up to `tapBatch` frames; false when the tap is gone.
    func tapReadable(_ events: UInt32) -> Bool {
        for _ in 0..<Self.tapBatch {
            let count = Glibc.read(tap.rawValue, receiveBuffer.baseAddress, receiveBuffer.count)
            if count < 0 {
                let code = errno
                if code == EAGAIN || code == EINTR { return true }
                // EBADFD: the interface was deleted, or its namespace went away.
                Log.debug("tap", "read failed: errno \(code)")
                return code != EBADFD && code != EBADF
            }
            if count == 0 { return events & EventLoop.hangUp == 0 }
            statistics.framesReceived += 1
            tapFrame(PacketBytes(base: receiveBuffer.baseAddress, count: count))
        }
        return true
    }

    /// Writes the first `length` bytes of the send buffer to the tap as one frame.
    func tapWrite(_ length: Int?) {
        guard let length, length > 0 else { return }
        let written = Glibc.write(tap.rawValue, sendBuffer.baseAddress, length)
        if written < 0 {
            statistics.framesDropped += 1
            Log.debug("tap", "write of \(length) bytes failed: errno \(errno)")
        } else {
            statistics.framesSent += 1
        }
    }

    /// Writes `length` bytes from `base` (a frame built outside the send buffer) to the tap.
    func tapWrite(_ base: UnsafeMutableRawPointer?, _ length: Int?) {
        guard let base, let length, length > 0 else { return }
        if Glibc.write(tap.rawValue, base, length) < 0 {
            statistics.framesDropped += 1
            Log.debug("tap", "write of \(length) bytes failed: errno \(errno)")
        } else {
            statistics.framesSent += 1
        }
    }

    /// Where frames to the container go: its MAC, or broadcast until it is known.
    var containerDestination: EthernetAddress { containerMAC ?? .broadcast }

    /// One frame from the container: learn its MAC, then hand it to its protocol.
    func tapFrame(_ bytes: PacketBytes) {
        guard let frame = EthernetFrame(bytes) else { return drop("not an Ethernet frame") }
        let source = frame.source
        if learnsContainerMAC, !source.isMulticast, source != .zero, source != containerMAC {
            containerMAC = source
            Log.debug("tap", "container MAC is \(source)")
        }
        switch frame.etherType {
        case EthernetFrame.typeARP:
            arpReceive(frame)
        case EthernetFrame.typeIPv4:
            ipv4Receive(frame)
        case EthernetFrame.typeIPv6:
            ipv6Receive(frame)
        default:
            drop("ether type not carried")
        }
    }

    func ipv4Receive(_ frame: EthernetFrame) {
        guard config.ipv4 != nil, let packet = IPv4Packet(frame.payload) else {
            return drop("bad IPv4 packet")
        }
        // FIXME: fragments are dropped, not reassembled; the container sees a timeout.
        guard !packet.isFragment else { return drop("IPv4 fragment") }
        switch packet.protocolNumber {
        case IPv4Packet.protocolUDP:
            guard let datagram = UDPDatagram(packet.payload) else { return drop("bad UDP") }
            if datagram.destinationPort == DHCPMessage.serverPort {
                dhcpReceive(datagram, frame: frame)
            } else {
                udpOutbound(
                    source: packet.source, destination: packet.destination, datagram)
            }
        case IPv4Packet.protocolICMP:
            guard let message = ICMPv4Message(packet.payload), message.isEchoRequest else {
                return drop("ICMP other than echo request")
            }
            echoOutbound(
                source: packet.source, destination: packet.destination,
                identifier: message.identifier, message: message.bytes)
        case IPv4Packet.protocolTCP:
            guard let segment = TCPSegment(packet.payload) else { return drop("bad TCP") }
            tcpReceive(source: packet.source, destination: packet.destination, segment)
        default:
            drop("IPv4 protocol not carried")
        }
    }

    func ipv6Receive(_ frame: EthernetFrame) {
        guard config.ipv6 != nil, let packet = IPv6Packet(frame.payload) else {
            return drop("bad IPv6 packet")
        }
        guard !packet.isFragment else { return drop("IPv6 fragment") }
        switch packet.upperProtocol {
        case IPv4Packet.protocolUDP:
            guard let datagram = UDPDatagram(packet.payload) else { return drop("bad UDP") }
            if datagram.destinationPort == DHCPv6Message.serverPort {
                dhcpv6Receive(datagram, packet: packet, frame: frame)
            } else {
                udpOutbound(
                    source: packet.source, destination: packet.destination, datagram)
            }
        case IPv6Packet.protocolICMPv6:
            guard
                let message = ICMPv6Message(
                    packet.payload, source: packet.source, destination: packet.destination)
            else { return drop("bad ICMPv6") }
            icmpv6Receive(message, packet: packet, frame: frame)
        case IPv4Packet.protocolTCP:
            guard let segment = TCPSegment(packet.payload) else { return drop("bad TCP") }
            tcpReceive(source: packet.source, destination: packet.destination, segment)
        default:
            drop("IPv6 protocol not carried")
        }
    }

    /// Counts a dropped frame; says why at trace level.
    func drop(_ reason: StaticString) {
        statistics.framesDropped += 1
        Log.trace("tap", "dropped: \(reason)")
    }
}
