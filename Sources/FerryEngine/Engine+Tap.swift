// Theory of operation (the tap)
//
// Every frame crosses the tap here, both ways. A tap made with IFF_VNET_HDR (as `ferry pasta`
// and engine-probe make it) carries a virtio-net header in front of each frame, with
// checksum and TSO offloads on (TUNSETOFFLOAD): the container's kernel then hands over TCP
// super-frames of up to 64 KiB even at MTU 1500, often with a partial checksum, and takes
// the engine's own large TCP frames and cuts them into MSS-sized segments itself. So:
// - reading, the header is parsed and skipped; the frame's checksum is trusted when it says
//   `needsChecksum` or `dataValid` (`tapFrameChecksumTrusted`, for the few places that
//   verify one); a TCP super-frame is one segment with a large payload to the protocols;
// - writing, every frame gets a header: all zeros (a complete frame) from `tapWrite`, or
//   partial checksum and segmentation from `tapWriteOffloaded` (TCP data).
// A container that turns its offloads off sends plain frames behind an all-zero header, and
// a tap without the header (`tapHeaderSize` 0) carries plain frames both ways.

import FerryAddress
import FerryPacket
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension Engine {
    /// Reads and handles up to `tapBatch` frames; false when the tap is gone.
    func tapReadable(_ events: UInt32) -> Bool {
        let headerSize = tapHeaderSize
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
            let bytes = PacketBytes(base: receiveBuffer.baseAddress, count: count)
            guard headerSize > 0 else {
                tapFrameChecksumTrusted = false
                tapFrame(bytes)
                continue
            }
            guard let header = VirtioNetHeader(bytes), let frame = bytes.dropFirst(headerSize)
            else {
                drop("shorter than its virtio-net header")
                continue
            }
            let segmentation = header.segmentation
            if segmentation != VirtioNetHeader.gsoNone
                && segmentation != VirtioNetHeader.gsoTCPv4
                && segmentation != VirtioNetHeader.gsoTCPv6
            {
                drop("segmentation type not offered")
                continue
            }
            tapFrameChecksumTrusted = header.checksumIsTrusted
            tapFrame(frame)
        }
        return true
    }

    /// Writes the first `length` bytes of the send buffer to the tap as one frame.
    func tapWrite(_ length: Int?) {
        tapWrite(sendBuffer.baseAddress, length)
    }

    /// Writes `length` bytes from `base` (a frame built outside the send buffer) to the tap:
    /// a complete frame, behind an all-zero virtio-net header when the tap has one.
    func tapWrite(_ base: UnsafeMutableRawPointer?, _ length: Int?) {
        guard let base, let length, length > 0 else { return }
        guard tapHeaderSize > 0 else {
            return tapWritten(Glibc.write(tap.rawValue, base, length), length)
        }
        tapHeader.initializeMemory(as: UInt8.self, repeating: 0)
        tapWriteVectors(base, length)
    }

    /// Writes a frame whose checksum or segmentation `header` leaves to the kernel (only
    /// when `tapHeaderSize` is not zero).
    func tapWriteOffloaded(
        _ base: UnsafeMutableRawPointer?, _ length: Int?, header: VirtioNetHeader
    ) {
        guard let base, let length, length > 0 else { return }
        tapHeader.initializeMemory(as: UInt8.self, repeating: 0)
        header.write(into: PacketBytes(tapHeader))
        tapWriteVectors(base, length)
    }

    /// One writev: the header in `tapHeader`, then the frame.
    private func tapWriteVectors(_ base: UnsafeMutableRawPointer, _ length: Int) {
        tapVectors[0] = iovec(iov_base: tapHeader.baseAddress, iov_len: tapHeaderSize)
        tapVectors[1] = iovec(iov_base: base, iov_len: length)
        tapWritten(Glibc.writev(tap.rawValue, tapVectors, 2), length)
    }

    private func tapWritten(_ written: Int, _ length: Int) {
        if written < 0 {
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
                    packet.payload, source: packet.source, destination: packet.destination,
                    checksumTrusted: tapFrameChecksumTrusted)
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
