// Theory of operation (TCP, segments to the container)
//
// Every segment the engine sends is addressed from the destination the container used to
// the container, so translation back is implicit (as for UDP). Control segments (SYN-ACK,
// ACK, FIN, RST) are built in the send buffer; data segments are built in `tcpFrames`
// around payload peeked in place (Engine+TCPSocket). Each carries `containerNext` as its
// acknowledgment and the window the host socket can take now: its free send-buffer space,
// scaled, never more. When that window is small the socket is also watched for writability
// so that a window update follows as soon as the host side drains.

import FerryAddress
import FerryPacket
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension Engine {
    /// The first retransmission timeout, doubled on each retry up to `tcpRetransmitLimit`.
    static let tcpRetransmitMinimum: UInt64 = 200
    static let tcpRetransmitLimit: UInt8 = 10
    /// How often connections' timers are looked at.
    static let tcpTimerMilliseconds: UInt64 = 50
    /// The largest segment payload a frame slot holds.
    static let tcpSlotPayload = 65536 - 128
    static let tcpVectorLimit = 64

    /// The window to advertise, as the header's field: the socket's free send space.
    func tcpWindowField(_ index: Int) -> UInt16 {
        let space = HostSocket.sendSpace(tcp.socket(index))
        let connection = tcp[index]
        let limited = space < 4 * connection.segmentSize
        if limited != connection.windowLimited, connection.phase == .established {
            tcp[index].windowLimited = limited
            tcpWatch(index, Self.tcpWatchData | (limited ? EventLoop.writable : 0))
        }
        let scaled = connection.ourScale.map { space >> Int($0) } ?? space
        return UInt16(clamping: scaled)
    }

    /// Writes a data segment already laid out in `frame` (payload at its header length).
    func tcpWriteFrame(
        _ index: Int, into frame: PacketBytes, sequence: UInt32, flags: UInt8, window: UInt16,
        payloadLength: Int
    ) {
        let key = tcp.flows[index].key
        let header = TCPHeaderFields(
            sourcePort: key.destinationPort, destinationPort: key.sourcePort,
            sequenceNumber: sequence, acknowledgmentNumber: tcp[index].containerNext,
            flags: flags, window: window)
        // Data behind a virtio-net header: the kernel completes the checksum and cuts the
        // frame into segments of the connection's MSS.
        let offloaded = tapHeaderSize > 0 && payloadLength > 0
        let length = TCPSegment.write(
            into: frame, ethernetDestination: containerDestination, ethernetSource: engineMAC,
            source: key.destination, destination: key.source, header: header,
            payloadLength: payloadLength, checksumOffloaded: offloaded)
        tcp[index].lastWindow = window
        guard offloaded else { return tapWrite(frame.base, length) }
        let family = key.source.family
        tapWriteOffloaded(
            frame.base, length,
            header: .tcp(
                family: family, frameHeaderLength: TCPSegment.frameHeaderLength(family),
                payloadLength: payloadLength, segmentSize: tcp[index].segmentSize))
    }

    /// A segment without payload on connection `index`.
    func tcpSendControl(_ index: Int, sequence: UInt32, flags: UInt8) {
        let window = flags & TCPSegment.flagRST != 0 ? 0 : tcpWindowField(index)
        tcpWriteFrame(
            index, into: sendBytes, sequence: sequence, flags: flags, window: window,
            payloadLength: 0)
    }

    /// An ACK carrying the current window.
    func tcpSendAck(_ index: Int) {
        tcpSendControl(index, sequence: tcp[index].sendNext, flags: TCPSegment.flagACK)
    }

    /// The SYN-ACK, once connect() succeeded: our MSS, and a window scale when the container
    /// offered one. Its window is never scaled (RFC 7323 2.2).
    func tcpSendSynAck(_ index: Int) {
        let key = tcp.flows[index].key
        let connection = tcp[index]
        let space = HostSocket.sendSpace(tcp.socket(index))
        let ourLimit = config.mtu - (key.source.family == .ipv4 ? 40 : 60)
        let header = TCPHeaderFields(
            sourcePort: key.destinationPort, destinationPort: key.sourcePort,
            sequenceNumber: connection.initialSequence,
            acknowledgmentNumber: connection.containerNext,
            flags: TCPSegment.flagSYN | TCPSegment.flagACK, window: UInt16(clamping: space),
            maximumSegmentSize: UInt16(clamping: min(ourLimit, Self.tcpSlotPayload)),
            windowScale: connection.ourScale)
        let length = TCPSegment.write(
            into: sendBytes, ethernetDestination: containerDestination,
            ethernetSource: engineMAC, source: key.destination, destination: key.source,
            header: header, payloadLength: 0)
        tapWrite(length)
        tcp[index].retransmitAt = nowMilliseconds + Self.tcpRetransmitMinimum
    }

    /// The SYN opening a forwarded connection: our MSS and window scale, as for a SYN-ACK.
    func tcpSendSyn(_ index: Int) {
        let key = tcp.flows[index].key
        let space = HostSocket.sendSpace(tcp.socket(index))
        let ourLimit = config.mtu - (key.source.family == .ipv4 ? 40 : 60)
        let header = TCPHeaderFields(
            sourcePort: key.destinationPort, destinationPort: key.sourcePort,
            sequenceNumber: tcp[index].initialSequence, acknowledgmentNumber: 0,
            flags: TCPSegment.flagSYN, window: UInt16(clamping: space),
            maximumSegmentSize: UInt16(clamping: min(ourLimit, Self.tcpSlotPayload)),
            windowScale: Self.tcpWindowScale)
        let length = TCPSegment.write(
            into: sendBytes, ethernetDestination: containerDestination,
            ethernetSource: engineMAC, source: key.destination, destination: key.source,
            header: header, payloadLength: 0)
        tapWrite(length)
        tcp[index].retransmitAt = nowMilliseconds + Self.tcpRetransmitMinimum
    }

    /// A RST answering `segment`, for a connection the engine does not have (RFC 9293 3.10.7.1).
    func tcpResetReply(_ key: FlowKey, to segment: TCPSegment) {
        let sequence = segment.isACK ? segment.acknowledgmentNumber : 0
        var acknowledgment = segment.sequenceNumber &+ UInt32(segment.payload.count)
        if segment.isSYN { acknowledgment &+= 1 }
        if segment.isFIN { acknowledgment &+= 1 }
        let header = TCPHeaderFields(
            sourcePort: key.destinationPort, destinationPort: key.sourcePort,
            sequenceNumber: sequence, acknowledgmentNumber: acknowledgment,
            flags: TCPSegment.flagRST | (segment.isACK ? 0 : TCPSegment.flagACK), window: 0)
        let length = TCPSegment.write(
            into: sendBytes, ethernetDestination: containerDestination,
            ethernetSource: engineMAC, source: key.destination, destination: key.source,
            header: header, payloadLength: 0)
        tapWrite(length)
    }

    /// Every `tcpTimerMilliseconds`: resend what the container has not acknowledged in time,
    /// give up after `tcpRetransmitLimit` tries, and refresh small windows.
    // FIXME: nothing probes a zero window the container advertised: if its later window
    // update is lost on the tap, host-to-container data waits for its next segment.
    func tcpTimer() {
        guard tcp.flows.count > 0 else { return }
        for index in 0..<tcp.capacity where tcp.socket(index) >= 0 {
            let connection = tcp[index]
            if connection.windowLimited, connection.phase == .established,
                tcpWindowField(index) != connection.lastWindow
            {
                tcpSendAck(index)
            }
            guard connection.retransmitAt != 0, connection.retransmitAt <= nowMilliseconds
            else { continue }
            guard connection.retransmits < Self.tcpRetransmitLimit else {
                Log.debug("tcp", "[flow \(index)] the container stopped answering: reset")
                tcpReset(index)
                continue
            }
            tcp[index].retransmits += 1
            let backoff = Self.tcpRetransmitMinimum << UInt64(min(connection.retransmits, 6))
            if connection.phase == .synAckSent {
                tcpSendSynAck(index)
            } else if connection.phase == .synSent {
                tcpSendSyn(index)
            } else {
                tcpRewind(index)
            }
            tcp[index].retransmitAt = nowMilliseconds + backoff
        }
    }
}
