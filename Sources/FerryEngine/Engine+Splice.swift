// Theory of operation (spliced `-T` connections: moving the bytes)
//
// Opened from a `-T` listener's accept (Engine+Loopback), a connection is pumped on every
// event of either socket: each direction drains its pipe into the destination, then
// refills it from the source, until one would block (SpliceTable has the states). A pump
// moves at most `spliceBudget` bytes per direction: a connection that spent it goes on the
// table's "more to do" ring, served by `spliceContinue` once the loop has handled its
// events, so one fast connection shares the thread with the tap, the timer and the others.
//
// Once a second the tick closes connections that are half-closed (one source ended) and
// have moved nothing for `spliceHalfClosedTimeout` seconds: a peer that never closes its
// half does not hold a slot forever.

import CFerryShim
import FerryAddress
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// How a pump of one direction ended.
enum SpliceOutcome {
    /// Source or destination would block: an edge will tell when to go on.
    case waiting
    /// The budget is spent with the source perhaps not empty: no edge will come for it.
    case budgetSpent
    case failed
}

extension Engine {
    /// Bytes asked of one splice(2) into a pipe; the pipe takes what it has room for.
    static let spliceChunk = 1 << 20
    /// Bytes one pump moves at most per direction (a few milliseconds on a loopback).
    static let spliceBudget = 4 << 20

    /// Connects to the host's loopback for an accepted container connection, and enters
    /// both in the splice table and the loop; a failure resets the container's side.
    func spliceOpen(container fd: Int32, to address: IPAddress, port: UInt16) {
        let splices = loopback.splices
        let host =
            splices.isFull
            ? -EMFILE : HostSocket.open(address.family, type: HostSocket.stream, protocol: 0)
        guard host >= 0 else {
            Log.debug("splice", "no room or no socket for a connection: errno \(-host)")
            HostSocket.setResetOnClose(fd)
            _ = close(fd)
            return
        }
        let code = HostSocket.connect(host, to: address, port: port)
        guard code == 0 || code == EINPROGRESS,
            let index = splices.insert(container: fd, host: host, now: now)
        else {
            Log.debug("splice", "connecting to \(address) port \(port) failed: errno \(code)")
            HostSocket.setResetOnClose(fd)
            _ = close(fd)
            _ = close(host)
            return
        }
        let generation = splices[index].generation
        let events = EventLoop.readable | EventLoop.writable | EventLoop.edgeTriggered
        do {
            try loop?.add(
                fd, tag: EventTag(.splice, index: index << 1, generation: generation),
                events: events)
            try loop?.add(
                host, tag: EventTag(.splice, index: index << 1 | 1, generation: generation),
                events: events)
        } catch {
            Log.debug("splice", "\(error)")
            return splices.remove(index, reset: true)
        }
        Log.debug("splice", "[\(index)] to \(address) port \(port)")
        if code == 0 {
            splices[index].connecting = false
            splicePump(index)
        }
    }

    /// An event on either socket of a spliced connection.
    func spliceEvent(_ tag: EventTag, _ events: UInt32) {
        let splices = loopback.splices
        let index = tag.index >> 1
        guard index < splices.capacity, splices[index].container >= 0,
            splices[index].generation == tag.generation
        else { return }
        if splices[index].connecting {
            // Until the host side is connected, the container's bytes wait in its socket.
            guard tag.index & 1 == 1 else { return }
            let error = HostSocket.pendingError(splices[index].host)
            if error != 0 {
                Log.debug("splice", "[\(index)] connect failed: errno \(error)")
                return splices.remove(index, reset: true)
            }
            guard events & EventLoop.writable != 0 else { return }
            splices[index].connecting = false
        }
        splicePump(index)
    }

    /// Pumps, once each, the connections that spent their budget before; called after each
    /// batch of events. Those that spend it again wait for the next round.
    func spliceContinue() {
        let splices = loopback.splices
        for _ in 0..<splices.moreCount {
            let index = splices.dequeueMore()
            guard splices[index].container >= 0, !splices[index].connecting else { continue }
            splicePump(index)
        }
    }

    /// Moves what the budget allows both ways, then closes the connection when both
    /// directions have ended, resets it on an error, or leaves it on the "more to do" ring.
    func splicePump(_ index: Int) {
        let splices = loopback.splices
        var connection = splices[index]
        let (upward, movedUp) = Self.spliceMove(
            from: connection.container, to: connection.host, &connection.toHost)
        let (downward, movedDown) = Self.spliceMove(
            from: connection.host, to: connection.container, &connection.toContainer)
        if movedUp + movedDown > 0 { connection.lastActive = now }
        splices[index] = connection
        if upward == .failed || downward == .failed {
            Log.debug("splice", "[\(index)] reset")
            return splices.remove(index, reset: true)
        }
        if connection.toHost.finished && connection.toContainer.finished {
            Log.debug("splice", "[\(index)] closed")
            return splices.remove(index, reset: false)
        }
        if upward == .budgetSpent || downward == .budgetSpent { splices.enqueueMore(index) }
    }

    /// Fast path, zero copy: one direction, source → pipe → destination, until one would
    /// block, the end is passed on, or `spliceBudget` bytes came from the source; returns
    /// how it ended and the bytes it took from the source.
    static func spliceMove(
        from source: Int32, to destination: Int32, _ direction: inout SpliceDirection
    ) -> (SpliceOutcome, Int) {
        var taken = 0
        while true {
            if direction.pending > 0 {
                let moved = ferry_splice(direction.pipeRead, destination, direction.pending)
                if moved > 0 {
                    direction.pending -= moved
                    continue
                }
                return (moved == -Int(EAGAIN) ? .waiting : .failed, taken)
            }
            if direction.sourceEnded {
                if !direction.finished {
                    _ = shutdown(destination, Int32(SHUT_WR))
                    direction.finished = true
                }
                return (.waiting, taken)
            }
            if taken >= spliceBudget { return (.budgetSpent, taken) }
            // The pipe is empty here, so "would block" means the source has nothing.
            let filled = ferry_splice(source, direction.pipeWrite, spliceChunk)
            if filled > 0 {
                direction.pending = filled
                taken += filled
            } else if filled == 0 {
                direction.sourceEnded = true
            } else {
                return (filled == -Int(EAGAIN) ? .waiting : .failed, taken)
            }
        }
    }

    /// From the tick: closes the connections half-closed and idle for longer than the
    /// timeout (both sockets, without a reset: the open half sees an end of stream).
    func spliceExpireHalfClosed() {
        let splices = loopback.splices
        guard splices.count > 0 else { return }
        let timeout = UInt64(max(1, config.spliceHalfClosedTimeout))
        var expired = 0
        for index in 0..<splices.capacity where splices[index].container >= 0 {
            let connection = splices[index]
            guard connection.toHost.sourceEnded || connection.toContainer.sourceEnded,
                now >= connection.lastActive + timeout
            else { continue }
            splices.remove(index, reset: false)
            expired += 1
        }
        if expired > 0 { Log.debug("splice", "\(expired) half-closed connections expired") }
    }
}
