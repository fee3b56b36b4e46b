// Theory of operation (TCP, the host socket's side)
//
// Each connection's socket is watched edge-triggered: EPOLLOUT alone while connect() runs,
// then EPOLLIN | EPOLLRDHUP (new data, end of stream), plus EPOLLOUT while the window last
// advertised to the container was small, so that freed send-buffer space becomes a window
// update at once. Edge-triggered, because data the container has not acknowledged stays
// in the receive queue: level-triggered, it would wake the loop forever.
//
// Sending to the container: the socket's receive queue is peeked from the peek offset
// (SO_PEEK_OFF: the kernel moves it forward as we peek and back as we discard) into frame
// slots of one frame each in `tcpFrames` (one segment, or up to 64 KiB of them for the
// kernel to cut when the tap has a virtio-net header), with room left in front of each for
// the headers, so a batch costs one recvmsg and one write per frame; no more than
// the container's window allows is peeked. End of stream becomes a FIN once everything
// before it went out. Without SO_PEEK_OFF (kernels before 6.9), each peek starts at the
// head and the bytes already in flight are read into a scratch area first; in-flight data
// is then capped at that area's size.

import CFerryShim
import FerryAddress
import FerryPacket
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension Engine {
    static let tcpWatchConnect = EventLoop.writable | EventLoop.edgeTriggered
    static let tcpWatchData =
        EventLoop.readable | EventLoop.remoteHangUp | EventLoop.edgeTriggered
    /// The window scale we offer when the container offers one (windows up to 16 MiB).
    static let tcpWindowScale: UInt8 = 8

    /// A SYN for no connection: open a socket and start connecting it.
    func tcpOpen(_ key: FlowKey, _ segment: TCPSegment) {
        guard tcpChecksumIsValid(segment, source: key.source, destination: key.destination),
            key.destinationPort != 0,
            let target = addressMap.outbound(key.destination, port: 0, isUDP: false)
        else { return drop("TCP SYN not carried") }
        guard !tcp.flows.isFull else {
            Log.debug("tcp", "connection table full: refusing")
            return tcpResetReply(key, to: segment)
        }
        let fd = HostSocket.open(target.family, type: HostSocket.stream, protocol: 0)
        guard fd >= 0 else {
            Log.debug("tcp", "opening a socket failed: errno \(-fd)")
            return
        }
        tcpPrepareSocket(fd)
        let code = HostSocket.connect(fd, to: target, port: key.destinationPort)
        guard code == 0 || code == EINPROGRESS else {
            _ = close(fd)
            Log.debug("tcp", "connecting failed at once: errno \(code)")
            if code == ECONNREFUSED { tcpResetReply(key, to: segment) }
            return
        }

        let index = tcp.insert(key, socket: fd, now: now)
        var connection = TCPConnection()
        connection.containerNext = segment.sequenceNumber &+ 1
        connection.containerScale = segment.windowScale ?? 0
        connection.ourScale = segment.windowScale == nil ? nil : Self.tcpWindowScale
        connection.containerWindow = UInt32(segment.window)
        let ourLimit = config.mtu - (key.source.family == .ipv4 ? 40 : 60)
        let theirs = Int(segment.maximumSegmentSize ?? 536)
        connection.segmentSize = max(64, min(theirs, ourLimit, Self.tcpSlotPayload))
        connection.events = Self.tcpWatchConnect
        _ = tcpStart(index, connection)
    }

    /// Stores `connection` at `index` from a fresh random initial sequence number, and
    /// watches its socket for `connection.events`; false, with the entry removed, when the
    /// loop refuses the socket.
    func tcpStart(_ index: Int, _ connection: TCPConnection) -> Bool {
        var connection = connection
        connection.initialSequence = UInt32.random(in: 0...UInt32.max)
        connection.sendUnacked = connection.initialSequence
        connection.sendNext = connection.initialSequence &+ 1
        tcp[index] = connection
        let tag = EventTag(.tcpFlow, index: index, generation: tcp.flows[index].generation)
        do {
            try loop?.add(tcp.socket(index), tag: tag, events: connection.events)
            return true
        } catch {
            Log.debug("tcp", "\(error)")
            tcp.remove(index)
            return false
        }
    }

    /// The options every connection's socket gets, and the peek offset when it works.
    func tcpPrepareSocket(_ fd: Int32) {
        HostSocket.setNoDelay(fd)
        HostSocket.setLargeBuffers(fd)
        if tcpPeekOffsetWorks != false {
            let code = HostSocket.setPeekOffset(fd, 0)
            if tcpPeekOffsetWorks == nil {
                tcpPeekOffsetWorks = code == 0
                Log.debug("tcp", "SO_PEEK_OFF: \(code == 0 ? "supported" : "errno \(code)")")
            }
        }
    }

    /// An event on a connection's socket.
    func tcpSocketEvent(_ tag: EventTag, _ events: UInt32) {
        let index = tag.index
        guard tcp.isLive(index, generation: tag.generation) else { return }
        let fd = tcp.socket(index)
        switch tcp[index].phase {
        case .connecting:
            let error = HostSocket.pendingError(fd)
            if error == 0 && events & EventLoop.writable != 0 {
                tcp[index].phase = .synAckSent
                tcpWatch(index, Self.tcpWatchData)
                tcpSendSynAck(index)
            } else if error == ECONNREFUSED {
                Log.debug("tcp", "[flow \(index)] connection refused")
                tcpSendControl(
                    index, sequence: 0, flags: TCPSegment.flagRST | TCPSegment.flagACK)
                tcpRemove(index)
            } else if error != 0 {
                // Unreachable or timed out: no answer, the container gives up by itself.
                Log.debug("tcp", "[flow \(index)] connecting failed: errno \(error)")
                tcpRemove(index)
            }
        case .synAckSent, .synSent:
            if events & EventLoop.hangUp != 0, HostSocket.pendingError(fd) != 0 {
                tcpReset(index)
            }
        case .established:
            if events & EventLoop.hangUp != 0, HostSocket.pendingError(fd) != 0 {
                return tcpReset(index)
            }
            if events & EventLoop.writable != 0 { tcpSendAck(index) }
            if events & EventLoop.remoteHangUp != 0 { tcp[index].hostEOF = true }
            if events & (EventLoop.readable | EventLoop.remoteHangUp | EventLoop.hangUp) != 0 {
                tcpSendFromSocket(index)
            }
        }
    }

    /// Changes the events a connection's socket is watched for.
    func tcpWatch(_ index: Int, _ events: UInt32) {
        guard tcp[index].events != events else { return }
        tcp[index].events = events
        let tag = EventTag(.tcpFlow, index: index, generation: tcp.flows[index].generation)
        loop?.modify(tcp.socket(index), tag: tag, events: events)
    }

    /// The payload of one data frame to the container: one segment on a plain tap; behind a
    /// virtio-net header, as many whole segments as one IP packet holds, for the kernel to
    /// cut (TSO), so a 64 KiB peek costs one write instead of one per segment.
    func tcpFramePayload(_ segmentSize: Int, _ family: IPAddress.Family) -> Int {
        guard tapHeaderSize > 0, segmentSize > 0 else { return segmentSize }
        let packetLimit = 65535 - (family == .ipv4 ? 20 : 0) - 20
        let limit = min(packetLimit, Self.tcpSlotPayload)
        return max(segmentSize, limit / segmentSize * segmentSize)
    }

    /// Sends what the socket holds beyond what is in flight, as far as the container's
    /// window allows; then a FIN at end of stream.
    func tcpSendFromSocket(_ index: Int) {
        guard tcp[index].phase == .established, !tcp[index].finSent else { return }
        let fd = tcp.socket(index)
        let family = tcp.flows[index].key.source.family
        let headerLength = TCPSegment.frameHeaderLength(family)
        while true {
            let connection = tcp[index]
            let inFlight = Int(connection.dataInFlight)
            var room = Int(connection.containerWindow) - inFlight
            let skip = tcpPeekOffsetWorks == true ? 0 : inFlight
            if skip > 0 { room = min(room, tcpScratch.count - skip) }
            guard room > 0 else {
                if inFlight == 0 { tcpArmPersist(index) }
                return
            }

            // One slot per frame: headers in front, the payload peeked in place.
            let framePayload = tcpFramePayload(connection.segmentSize, family)
            let stride = headerLength + framePayload
            var vectorCount = 0
            if skip > 0 {
                tcpVectors[0] = iovec(iov_base: tcpScratch.baseAddress, iov_len: skip)
                vectorCount = 1
            }
            var slots = 0
            var asked = 0
            while room > 0, vectorCount < Self.tcpVectorLimit,
                (slots + 1) * stride <= tcpFrames.count
            {
                let length = min(room, framePayload)
                tcpVectors[vectorCount] = iovec(
                    iov_base: tcpFrames.baseAddress! + slots * stride + headerLength,
                    iov_len: length)
                vectorCount += 1
                slots += 1
                room -= length
                asked += length
            }
            let received = HostSocket.peek(fd, tcpVectors, count: vectorCount)
            if received == -Int(EAGAIN) || received == -Int(EINTR) { return }
            if received < 0 {
                Log.debug("tcp", "[flow \(index)] receive failed: errno \(-received)")
                return tcpReset(index)
            }
            let fresh = received - skip
            if received == 0 || fresh <= 0 {
                if received == 0 || fresh < 0 { tcpSendFIN(index) }
                return
            }

            let window = tcpWindowField(index)
            var sent = 0
            var slot = 0
            var sequence = connection.sendNext
            while sent < fresh {
                let length = min(fresh - sent, framePayload)
                let last = sent + length == fresh
                let frame = PacketBytes(
                    base: tcpFrames.baseAddress! + slot * stride, count: headerLength + length)
                tcpWriteFrame(
                    index, into: frame, sequence: sequence,
                    flags: TCPSegment.flagACK | (last ? TCPSegment.flagPSH : 0), window: window,
                    payloadLength: length)
                sequence &+= UInt32(length)
                sent += length
                slot += 1
            }
            tcp[index].sendNext = sequence
            tcp[index].ackPending = false
            if tcp[index].retransmitAt == 0 {
                tcp[index].retransmitAt = nowMilliseconds + Self.tcpRetransmitMinimum
            }
            if fresh < asked { return }
        }
    }

    /// End of stream from the host, everything before it sent: FIN to the container.
    private func tcpSendFIN(_ index: Int) {
        var connection = tcp[index]
        guard !connection.finSent else { return }
        connection.hostEOF = true
        tcp[index] = connection
        tcpSendControl(
            index, sequence: connection.sendNext, flags: TCPSegment.flagFIN | TCPSegment.flagACK)
        tcp[index].sendNext &+= 1
        tcp[index].finSent = true
        tcp[index].ackPending = false
        if tcp[index].retransmitAt == 0 {
            tcp[index].retransmitAt = nowMilliseconds + Self.tcpRetransmitMinimum
        }
        Log.debug("tcp", "[flow \(index)] host closed its side")
    }
}
