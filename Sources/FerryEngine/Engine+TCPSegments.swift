// Theory of operation (TCP, segments to the container)
//
// Every segment the engine sends is addressed from the destination the container used to
// the container, so translation back is implicit (as for UDP). Control segments (SYN-ACK,
// ACK, FIN, RST) are built in the send buffer; data segments are built in `tcpFrames`
// around payload peeked in place (Engine+TCPSocket). Each carries `containerNext` as its
// acknowledgment and the window the host socket can take now: its free send-buffer space,
// scaled, never more. When that window is small the socket is also watched for writability
// so that a window update follows as soon as the host side drains.
//
// The other way, a window the container closed is probed (RFC 9293 3.8.6.1, the persist
// timer): once nothing is in flight and the window is zero, a probe goes after the
// retransmission timeout, then at doubling intervals up to 64 times that, for as long as
// data or our FIN waits. A probe is an ACK one sequence number below what the container
// expects; its kernel drops the out-of-window segment and answers with an ACK carrying its
// current window (Linux rate-limits such answers to one per net.ipv4.tcp_invalid_ratelimit,
// 500 ms), and an answer with an open window restarts the flow even if the window update
// that should have done so was lost. Probes that go unanswered reset the connection, as
// unacknowledged data does.

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
        tcpSendHandshake(
            index, flags: TCPSegment.flagSYN | TCPSegment.flagACK,
            acknowledgment: tcp[index].containerNext, windowScale: tcp[index].ourScale)
    }

    /// The SYN opening a forwarded connection: our MSS and window scale, as for a SYN-ACK.
    func tcpSendSyn(_ index: Int) {
        tcpSendHandshake(
            index, flags: TCPSegment.flagSYN, acknowledgment: 0,
            windowScale: Self.tcpWindowScale)
    }

    /// A SYN or SYN-ACK from the initial sequence number, with our MSS (from the MTU) and
    /// the socket's free send space as its window; retransmitted by the timer until answered.
    private func tcpSendHandshake(
        _ index: Int, flags: UInt8, acknowledgment: UInt32, windowScale: UInt8?
    ) {
        let key = tcp.flows[index].key
        let space = HostSocket.sendSpace(tcp.socket(index))
        let ourLimit = config.mtu - (key.source.family == .ipv4 ? 40 : 60)
        let header = TCPHeaderFields(
            sourcePort: key.destinationPort, destinationPort: key.sourcePort,
            sequenceNumber: tcp[index].initialSequence, acknowledgmentNumber: acknowledgment,
            flags: flags, window: UInt16(clamping: space),
            maximumSegmentSize: UInt16(clamping: min(ourLimit, Self.tcpSlotPayload)),
            windowScale: windowScale)
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
    /// give up after `tcpRetransmitLimit` tries, probe closed windows, and refresh small
    /// windows.
    func tcpTimer() {
        guard tcp.flows.count > 0 else { return }
        for index in 0..<tcp.capacity where tcp.socket(index) >= 0 {
            let connection = tcp[index]
            if connection.windowLimited, connection.phase == .established,
                tcpWindowField(index) != connection.lastWindow
            {
                tcpSendAck(index)
            }
            if connection.persistAt != 0, connection.persistAt <= nowMilliseconds {
                tcpPersistExpired(index)
                continue
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
                // The window closed under data in flight: nothing went again, and the
                // persist timer, armed by the rewind, takes over.
                if tcp[index].persistAt != 0 {
                    tcp[index].retransmitAt = 0
                    tcp[index].retransmits = 0
                    continue
                }
            }
            tcp[index].retransmitAt = nowMilliseconds + backoff
        }
    }

    /// Starts the persist timer: the container's window is closed and nothing is in flight,
    /// so no ACK is coming to say when it opens.
    func tcpArmPersist(_ index: Int) {
        guard tcp[index].persistAt == 0 else { return }
        tcp[index].persistAt = nowMilliseconds + Self.tcpRetransmitMinimum
        tcp[index].probes = 0
    }

    /// The persist timer fired: a window probe if the window is still closed and something
    /// waits to be sent, else the timer stops (new data arms it again).
    private func tcpPersistExpired(_ index: Int) {
        let connection = tcp[index]
        let waiting =
            HostSocket.receiveQueued(tcp.socket(index)) > 0
            || (connection.hostEOF && !connection.finSent)
        guard connection.phase == .established, connection.containerWindow == 0,
            connection.sendNext == connection.sendUnacked, waiting
        else {
            tcp[index].persistAt = 0
            return
        }
        guard connection.probesUnanswered < Self.tcpRetransmitLimit else {
            Log.debug("tcp", "[flow \(index)] the container stopped answering probes: reset")
            return tcpReset(index)
        }

        tcpSendControl(index, sequence: connection.sendUnacked &- 1, flags: TCPSegment.flagACK)
        statistics.tcpWindowProbes += 1
        tcp[index].probes = min(connection.probes + 1, 6)
        tcp[index].probesUnanswered += 1
        tcp[index].persistAt =
            nowMilliseconds + Self.tcpRetransmitMinimum << UInt64(tcp[index].probes)
    }
}
