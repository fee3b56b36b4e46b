// Theory of operation (TCP, the container's side)
//
// A SYN from the container opens a host socket, non-blocking, and starts connect() to the
// mapped destination (AddressMap, as for UDP). Nothing is answered yet: the SYN-ACK goes
// back only once the socket reports the connect done (Engine+TCPSocket). A connect refused
// at once or later becomes a RST; any other failure (unreachable, timed out) gets no answer,
// and the container retries or gives up by itself.
//
// Once established, each segment from the container is handled in order: a RST closes the
// socket with a reset; an ACK releases acknowledged bytes from the socket's receive queue,
// updates the container's window and sends more if it opened (three duplicate ACKs resend
// from the acknowledged point); payload at the expected sequence number is written to the
// socket, and `containerNext` moves by what the socket accepted, no more; a FIN in order
// shuts the socket's write side. The ACKs the container is owed are sent once per batch of
// tap frames (`tcpFlushAcks`), each with the window the socket can take at that moment.
// A segment for no connection gets a RST, unless it is one.

import FerryAddress
import FerryPacket
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension Engine {
    /// Duplicate ACKs that trigger a resend from the acknowledged point.
    static let tcpDuplicateAckThreshold: UInt8 = 3

    /// Whether a segment that opens or resets something is intact: verified, unless the
    /// tap's header says the container's kernel left the checksum to offload.
    func tcpChecksumIsValid(_ segment: TCPSegment, source: IPAddress, destination: IPAddress)
        -> Bool
    {
        tapFrameChecksumTrusted
            || segment.checksumIsValid(source: source, destination: destination)
    }

    /// One segment from the container.
    func tcpReceive(source: IPAddress, destination: IPAddress, _ segment: TCPSegment) {
        let key = FlowKey(
            source: source, sourcePort: segment.sourcePort, destination: destination,
            destinationPort: segment.destinationPort)
        guard let index = tcp.flows.find(key) else {
            let flags = segment.flags & (TCPSegment.flagSYN | TCPSegment.flagACK)
            if flags == TCPSegment.flagSYN && !segment.isRST {
                return tcpOpen(key, segment)
            }
            if !segment.isRST, tcpChecksumIsValid(segment, source: source, destination: destination)
            {
                tcpResetReply(key, to: segment)
            }
            return drop("TCP segment for no connection")
        }
        if segment.isRST {
            Log.debug("tcp", "[flow \(index)] reset by the container")
            HostSocket.setResetOnClose(tcp.socket(index))
            return tcpRemove(index)
        }
        switch tcp[index].phase {
        case .connecting:
            // The container resends its SYN while connect() runs: nothing to say yet.
            return
        case .synAckSent:
            if segment.isSYN { return tcpSendSynAck(index) }
            guard segment.isACK,
                segment.acknowledgmentNumber == tcp[index].initialSequence &+ 1
            else { return }
            tcp[index].phase = .established
            tcp[index].sendUnacked = segment.acknowledgmentNumber
            tcp[index].retransmitAt = 0
            tcp[index].retransmits = 0
            tcp[index].containerWindow =
                UInt32(segment.window) << UInt32(tcp[index].containerScale)
            Log.debug("tcp", "[flow \(index)] established")
        case .established:
            if segment.isSYN { return tcp.markAckPending(index) }
        case .synSent:
            return tcpSynAckReceived(index, segment)
        }
        if segment.isACK, !tcpAcknowledged(index, segment) { return }
        tcpContainerData(index, segment)
    }

    /// The container's SYN-ACK to a forwarded connection: established; our ACK completes
    /// the handshake, and what the client already sent follows.
    private func tcpSynAckReceived(_ index: Int, _ segment: TCPSegment) {
        var connection = tcp[index]
        guard segment.isSYN, segment.isACK,
            segment.acknowledgmentNumber == connection.initialSequence &+ 1
        else { return }
        connection.phase = .established
        connection.containerNext = segment.sequenceNumber &+ 1
        connection.sendUnacked = segment.acknowledgmentNumber
        connection.containerScale = segment.windowScale ?? 0
        connection.ourScale = segment.windowScale == nil ? nil : Self.tcpWindowScale
        // The window of a SYN-ACK is never scaled (RFC 7323 2.2).
        connection.containerWindow = UInt32(segment.window)
        let key = tcp.flows[index].key
        let ourLimit = config.mtu - (key.source.family == .ipv4 ? 40 : 60)
        let theirs = Int(segment.maximumSegmentSize ?? 536)
        connection.segmentSize = max(64, min(theirs, ourLimit, Self.tcpSlotPayload))
        connection.retransmitAt = 0
        connection.retransmits = 0
        tcp[index] = connection
        Log.debug("tcp", "[flow \(index)] forwarded connection established")
        tcpSendAck(index)
        tcpSendFromSocket(index)
    }

    /// The container's ACK: releases what it acknowledged and sends more if its window
    /// opened; false when the connection is gone.
    private func tcpAcknowledged(_ index: Int, _ segment: TCPSegment) -> Bool {
        let ack = segment.acknowledgmentNumber
        let window = UInt32(segment.window) << UInt32(tcp[index].containerScale)
        var connection = tcp[index]
        if Sequence.after(ack, connection.sendUnacked)
            && Sequence.atOrAfter(connection.sendNext, ack)
        {
            var acknowledged = ack &- connection.sendUnacked
            if connection.finSent && ack == connection.sendNext {
                acknowledged -= 1
                connection.finAcked = true
            }
            if acknowledged > 0 {
                let removed = HostSocket.discard(tcp.socket(index), Int(acknowledged))
                if removed != Int(acknowledged) {
                    Log.debug("tcp", "[flow \(index)] discarding acknowledged data: \(removed)")
                }
            }
            connection.sendUnacked = ack
            connection.duplicateAcks = 0
            connection.retransmits = 0
            connection.retransmitAt =
                connection.sendNext == ack ? 0 : nowMilliseconds + Self.tcpRetransmitMinimum
        } else if ack == connection.sendUnacked, connection.sendNext != ack,
            segment.payload.count == 0, !segment.isFIN, window == connection.containerWindow
        {
            connection.duplicateAcks &+= 1
            if connection.duplicateAcks == Self.tcpDuplicateAckThreshold {
                tcp[index] = connection
                tcpRewind(index)
                connection = tcp[index]
            }
        }
        connection.containerWindow = window
        // Any ACK answers a window probe; an open window ends the persist timer.
        connection.probesUnanswered = 0
        if window > 0 { connection.persistAt = 0 }
        tcp[index] = connection
        if connection.isClosed {
            tcpRemove(index)
            return false
        }
        tcpSendFromSocket(index)
        return tcp.socket(index) >= 0
    }

    /// The container's payload and FIN: written to the socket in order.
    private func tcpContainerData(_ index: Int, _ segment: TCPSegment) {
        let payload = segment.payload
        let sequence = segment.sequenceNumber
        let end = sequence &+ UInt32(payload.count)
        var connection = tcp[index]
        if payload.count > 0 {
            if !connection.containerFIN, Sequence.atOrAfter(connection.containerNext, sequence),
                Sequence.after(end, connection.containerNext),
                let fresh = payload.dropFirst(Int(connection.containerNext &- sequence))
            {
                let written = HostSocket.write(tcp.socket(index), fresh)
                if written > 0 {
                    connection.containerNext &+= UInt32(written)
                }
                if written < fresh.count {
                    statistics.tcpShortWrites += 1
                    if written < 0, written != -Int(EAGAIN) {
                        Log.debug("tcp", "[flow \(index)] write failed: errno \(-written)")
                        tcp[index] = connection
                        return tcpReset(index)
                    }
                }
            }
            tcp[index] = connection
            tcp.markAckPending(index)
        } else if !segment.isFIN, sequence != connection.containerNext {
            // A keepalive (one byte before the expected one) or an old segment: re-ACK.
            tcp.markAckPending(index)
        }
        guard segment.isFIN else { return }
        if !connection.containerFIN, end == connection.containerNext {
            HostSocket.shutdownWrite(tcp.socket(index))
            connection.containerNext &+= 1
            connection.containerFIN = true
            tcp[index] = connection
            Log.debug("tcp", "[flow \(index)] container closed its side")
        }
        tcp.markAckPending(index)
    }

    /// Sends the ACKs owed after a batch of tap frames, each with the current window.
    func tcpFlushAcks() {
        tcp.drainPending { index in
            tcpSendAck(index)
            if tcp[index].isClosed { tcpRemove(index) }
        }
    }

    /// Resends from the acknowledged point: the peek offset goes back to the queue's head.
    func tcpRewind(_ index: Int) {
        var connection = tcp[index]
        connection.sendNext = connection.sendUnacked
        if connection.finSent && !connection.finAcked { connection.finSent = false }
        connection.duplicateAcks = 0
        tcp[index] = connection
        if tcpPeekOffsetWorks == true { _ = HostSocket.setPeekOffset(tcp.socket(index), 0) }
        statistics.tcpRetransmits += 1
        tcpSendFromSocket(index)
    }

    /// A reset both ways: RST to the container, and close the socket with a reset.
    func tcpReset(_ index: Int) {
        let connection = tcp[index]
        tcpSendControl(
            index, sequence: connection.sendNext, flags: TCPSegment.flagRST | TCPSegment.flagACK)
        HostSocket.setResetOnClose(tcp.socket(index))
        tcpRemove(index)
    }

    func tcpRemove(_ index: Int) {
        loop?.remove(tcp.socket(index))
        tcp.remove(index)
    }
}
