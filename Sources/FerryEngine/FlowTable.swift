// Theory of operation
//
// A flow is one conversation of the container's that the engine carries through a host
// socket: for UDP, (source, source port, destination, destination port) as the container
// sent it; for ICMP echo, (source, echo identifier, destination). The table holds a fixed
// number of entries, allocated once, each owning one socket descriptor.
//
// Lookup goes through an open-addressing index (linear probing, twice as many slots as
// entries, deletion by backward shift, so no tombstones build up). Entries are also kept on
// a doubly linked list in order of last use: the head is the most recent, the tail the one
// idle longest. Expiry walks from the tail while entries are older than the idle timeout;
// when the table is full, the tail is evicted to make room. Every operation is O(1) apart
// from probing, and none allocates.

import FerryAddress

#if canImport(Glibc)
    import Glibc
#endif

/// The container's side of a flow, as it addressed it.
struct FlowKey: Equatable {
    var source: IPAddress
    var sourcePort: UInt16
    var destination: IPAddress
    var destinationPort: UInt16

    /// A 64-bit mix of the fields (a multiply-xorshift over each word).
    var hashValue64: UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
        hash = Self.mix(hash, source)
        hash = Self.mix(hash, destination)
        return Self.mix(hash, UInt64(sourcePort) << 16 | UInt64(destinationPort))
    }

    private static func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        let mixed = (hash ^ value) &* 0xBF58_476D_1CE4_E5B9
        return mixed ^ (mixed >> 31)
    }

    private static func mix(_ hash: UInt64, _ address: IPAddress) -> UInt64 {
        switch address {
        case .v4(let value): mix(hash, UInt64(value))
        case .v6(let high, let low): mix(mix(hash, high), low)
        }
    }
}

/// One entry: the key, its host socket, and its place in the last-use list.
struct FlowEntry {
    var key = FlowKey(source: .v4(0), sourcePort: 0, destination: .v4(0), destinationPort: 0)
    /// The host socket; -1 when the entry is free.
    var socket: Int32 = -1
    /// Seconds on the monotonic clock when the flow last carried a packet.
    var lastUsed: UInt64 = 0
    /// Bumped each time the entry is reused, to recognise stale events.
    var generation: UInt32 = 0
    var hash: UInt64 = 0
    var newer: Int32 = -1
    var older: Int32 = -1
}

/// A fixed-size table of flows with an index and a last-use order.
final class FlowTable {
    let capacity: Int
    private let entries: UnsafeMutableBufferPointer<FlowEntry>
    private let slots: UnsafeMutableBufferPointer<Int32>
    private let slotMask: Int
    /// Free entries, as a stack of indices.
    private let free: UnsafeMutableBufferPointer<Int32>
    private var freeCount: Int
    private var newest: Int32 = -1
    private var oldest: Int32 = -1
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        entries = .allocate(capacity: self.capacity)
        entries.initialize(repeating: FlowEntry())
        var slotCount = 1
        while slotCount < self.capacity * 2 { slotCount <<= 1 }
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1)
        slotMask = slotCount - 1
        free = .allocate(capacity: self.capacity)
        for index in 0..<self.capacity { free[index] = Int32(self.capacity - 1 - index) }
        freeCount = self.capacity
    }

    deinit {
        for index in 0..<capacity where entries[index].socket >= 0 {
            _ = close(entries[index].socket)
        }
        entries.deallocate()
        slots.deallocate()
        free.deallocate()
    }

    subscript(index: Int) -> FlowEntry { entries[index] }

    var isFull: Bool { freeCount == 0 }

    /// The entry index for `key`, or nil.
    func find(_ key: FlowKey) -> Int? {
        let hash = key.hashValue64
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while slots[slot] >= 0 {
            let index = Int(slots[slot])
            if entries[index].hash == hash && entries[index].key == key { return index }
            slot = (slot + 1) & slotMask
        }
        return nil
    }

    /// The entry idle longest, or nil when the table is empty.
    var oldestIndex: Int? { oldest >= 0 ? Int(oldest) : nil }

    /// Adds a flow owning `socket`; the table must not be full (evict first).
    func insert(_ key: FlowKey, socket: Int32, now: UInt64) -> Int {
        precondition(freeCount > 0, "flow table full")
        freeCount -= 1
        let index = Int(free[freeCount])
        let hash = key.hashValue64
        entries[index].key = key
        entries[index].socket = socket
        entries[index].lastUsed = now
        entries[index].hash = hash
        entries[index].generation = (entries[index].generation &+ 1) & 0xFF_FFFF
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while slots[slot] >= 0 { slot = (slot + 1) & slotMask }
        slots[slot] = Int32(index)
        linkNewest(index)
        count += 1
        return index
    }

    /// Marks the flow as used now, moving it to the head of the last-use list.
    func touch(_ index: Int, now: UInt64) {
        entries[index].lastUsed = now
        guard newest != Int32(index) else { return }
        unlink(index)
        linkNewest(index)
    }

    /// Removes the flow and closes its socket.
    func remove(_ index: Int) {
        guard entries[index].socket >= 0 else { return }
        _ = close(entries[index].socket)
        entries[index].socket = -1
        unlink(index)
        removeFromIndex(index)
        free[freeCount] = Int32(index)
        freeCount += 1
        count -= 1
    }

    /// Removes every flow idle for `idle` seconds or more; returns how many went.
    @discardableResult
    func expire(now: UInt64, idle: UInt64) -> Int {
        var removed = 0
        while let index = oldestIndex, entries[index].lastUsed + idle <= now {
            remove(index)
            removed += 1
        }
        return removed
    }

    private func linkNewest(_ index: Int) {
        entries[index].older = newest
        entries[index].newer = -1
        if newest >= 0 { entries[Int(newest)].newer = Int32(index) }
        newest = Int32(index)
        if oldest < 0 { oldest = Int32(index) }
    }

    private func unlink(_ index: Int) {
        let newer = entries[index].newer
        let older = entries[index].older
        if newer >= 0 { entries[Int(newer)].older = older } else { newest = older }
        if older >= 0 { entries[Int(older)].newer = newer } else { oldest = newer }
        entries[index].newer = -1
        entries[index].older = -1
    }

    /// Backward-shift deletion: later entries of the probe run move up into the hole
    /// unless their home slot lies cyclically after it.
    private func removeFromIndex(_ index: Int) {
        var hole = Int(truncatingIfNeeded: entries[index].hash) & slotMask
        while slots[hole] != Int32(index) { hole = (hole + 1) & slotMask }
        var next = (hole + 1) & slotMask
        while slots[next] >= 0 {
            let candidate = Int(slots[next])
            let home = Int(truncatingIfNeeded: entries[candidate].hash) & slotMask
            // The candidate may fill the hole when its home is not in (hole, next].
            let distanceHome = (next - home) & slotMask
            let distanceHole = (next - hole) & slotMask
            if distanceHome >= distanceHole {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & slotMask
        }
        slots[hole] = -1
    }
}
