// Theory of operation (spliced connections, container loopback to host loopback)
//
// A connection accepted on a `-T` listener in the container is not translated: it is one
// socket in the container's namespace and one the engine connects on the host's loopback,
// and bytes go between them through a pipe each way with splice(2), never through the
// engine's memory. Each direction is "source → pipe → destination": the pipe is drained
// into the destination first, then refilled from the source, until one of them would
// block. Both sockets are watched edge-triggered for reading and writing, and any event on
// either pumps both directions, so a direction stops only on a wait that an edge will end.
//
// End of stream on one source is passed on as shutdown(SHUT_WR) of the other socket once
// its pipe is empty (half-close); when both directions have ended the connection closes.
// An error on either side resets the other (SO_LINGER zero).
//
// Fairness: one wake-up moves at most a budget of bytes per direction (Engine+Loopback).
// A connection that spent it with data still waiting goes on the "more to do" ring, which
// the loop serves after its events (an edge-triggered descriptor gives no new event for
// bytes already there), waiting for no new event while the ring is not empty.
//
// The table, the ring and the pool of pipes are allocated once. A closed connection's two
// pipes, when empty, go to a small pool for the next connection; beyond it they are closed,
// so a burst of connections does not keep four descriptors per slot afterwards.

import CFerryShim

#if canImport(Glibc)
    import Glibc
#endif

/// One direction of a spliced connection.
struct SpliceDirection {
    /// The pipe: read end, write end; -1 while the slot is free.
    var pipeRead: Int32 = -1
    var pipeWrite: Int32 = -1
    /// Bytes in the pipe, not yet passed on.
    var pending = 0
    /// The source reached end of stream.
    var sourceEnded = false
    /// The end was passed on (the destination was shut down for writing).
    var finished = false
}

/// One connection: its two sockets and both directions.
struct SpliceConnection {
    /// Accepted on the container's loopback.
    var container: Int32 = -1
    /// Connected on the host's loopback.
    var host: Int32 = -1
    /// The host side's connect has not completed yet.
    var connecting = false
    var toHost = SpliceDirection()
    var toContainer = SpliceDirection()
    var generation: UInt32 = 0
    /// When bytes last moved either way (monotonic seconds), for the half-closed timeout.
    var lastActive: UInt64 = 0
}

/// Two pipes, each as read end and write end, idle in the pool.
private typealias PipePair = (Int32, Int32, Int32, Int32)

/// A fixed-size table of spliced connections.
final class SpliceTable {
    /// Bytes each pipe is asked to hold (the default is 64 KiB).
    static let pipeSize = 256 << 10

    /// Closed connections whose pipes are kept for the next ones.
    static let pipePoolLimit = 16

    let capacity: Int
    private let entries: UnsafeMutableBufferPointer<SpliceConnection>
    private let free: UnsafeMutableBufferPointer<Int32>
    private var freeCount: Int
    /// Slots with more to do: a ring, each slot in it at most once (`queued`).
    private let more: UnsafeMutableBufferPointer<Int32>
    private let queued: UnsafeMutableBufferPointer<Bool>
    private var moreHead = 0
    private(set) var moreCount = 0
    private let pipePool: UnsafeMutableBufferPointer<PipePair>
    private(set) var pipePoolCount = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        entries = .allocate(capacity: self.capacity)
        entries.initialize(repeating: SpliceConnection())
        free = .allocate(capacity: self.capacity)
        for index in 0..<self.capacity { free[index] = Int32(self.capacity - 1 - index) }
        freeCount = self.capacity
        more = .allocate(capacity: self.capacity)
        more.initialize(repeating: -1)
        queued = .allocate(capacity: self.capacity)
        queued.initialize(repeating: false)
        pipePool = .allocate(capacity: Self.pipePoolLimit)
        pipePool.initialize(repeating: (-1, -1, -1, -1))
    }

    deinit {
        for index in 0..<capacity { remove(index, reset: false) }
        for pair in pipePool.prefix(pipePoolCount) {
            _ = close(pair.0)
            _ = close(pair.1)
            _ = close(pair.2)
            _ = close(pair.3)
        }
        entries.deallocate()
        free.deallocate()
        more.deallocate()
        queued.deallocate()
        pipePool.deallocate()
    }

    var isFull: Bool { freeCount == 0 }
    var count: Int { capacity - freeCount }

    subscript(index: Int) -> SpliceConnection {
        get { entries[index] }
        set { entries[index] = newValue }
    }

    /// Takes a free slot for a connection between `container` and `host`, with empty pipes
    /// ready (from the pool, else new); nil when the pipes cannot be made (the sockets are
    /// left to the caller).
    func insert(container: Int32, host: Int32, now: UInt64) -> Int? {
        precondition(freeCount > 0, "splice table full")
        let index = Int(free[freeCount - 1])
        if pipePoolCount > 0 {
            pipePoolCount -= 1
            let pair = pipePool[pipePoolCount]
            entries[index].toHost = SpliceDirection(pipeRead: pair.0, pipeWrite: pair.1)
            entries[index].toContainer = SpliceDirection(pipeRead: pair.2, pipeWrite: pair.3)
        } else {
            guard Self.makePipe(&entries[index].toHost) else { return nil }
            guard Self.makePipe(&entries[index].toContainer) else {
                Self.closePipe(&entries[index].toHost)
                return nil
            }
        }
        freeCount -= 1
        entries[index].container = container
        entries[index].host = host
        entries[index].connecting = true
        entries[index].lastActive = now
        entries[index].generation = (entries[index].generation &+ 1) & 0xFF_FFFF
        return index
    }

    /// Closes both sockets (with a reset when `reset`), gives the pipes to the pool when
    /// they are empty and it has room (else closes them), and frees the slot.
    func remove(_ index: Int, reset: Bool) {
        guard entries[index].container >= 0 else { return }
        // One call per socket, not a loop over an array literal: nothing is allocated per
        // connection.
        Self.closeSocket(entries[index].container, reset: reset)
        Self.closeSocket(entries[index].host, reset: reset)
        entries[index].container = -1
        entries[index].host = -1
        let up = entries[index].toHost
        let down = entries[index].toContainer
        if up.pending == 0 && down.pending == 0 && pipePoolCount < Self.pipePoolLimit {
            pipePool[pipePoolCount] = (up.pipeRead, up.pipeWrite, down.pipeRead, down.pipeWrite)
            pipePoolCount += 1
            entries[index].toHost = SpliceDirection()
            entries[index].toContainer = SpliceDirection()
        } else {
            Self.closePipe(&entries[index].toHost)
            Self.closePipe(&entries[index].toContainer)
        }
        free[freeCount] = Int32(index)
        freeCount += 1
    }

    /// Puts a slot on the "more to do" ring, unless it is there already.
    func enqueueMore(_ index: Int) {
        guard !queued[index] else { return }
        queued[index] = true
        more[(moreHead + moreCount) % capacity] = Int32(index)
        moreCount += 1
    }

    /// Takes the oldest slot off the ring (it may have closed since: check its sockets).
    func dequeueMore() -> Int {
        precondition(moreCount > 0, "splice ring empty")
        let index = Int(more[moreHead])
        moreHead = (moreHead + 1) % capacity
        moreCount -= 1
        queued[index] = false
        return index
    }

    private static func closeSocket(_ fd: Int32, reset: Bool) {
        guard fd >= 0 else { return }
        if reset { HostSocket.setResetOnClose(fd) }
        _ = close(fd)
    }

    private static func makePipe(_ direction: inout SpliceDirection) -> Bool {
        var ends: (Int32, Int32) = (-1, -1)
        let made = withUnsafeMutableBytes(of: &ends) {
            ferry_pipe_nonblocking(
                $0.baseAddress?.assumingMemoryBound(to: Int32.self), Int32(pipeSize))
        }
        guard made == 0 else { return false }
        direction = SpliceDirection(pipeRead: ends.0, pipeWrite: ends.1)
        return true
    }

    private static func closePipe(_ direction: inout SpliceDirection) {
        if direction.pipeRead >= 0 { _ = close(direction.pipeRead) }
        if direction.pipeWrite >= 0 { _ = close(direction.pipeWrite) }
        direction = SpliceDirection()
    }
}
