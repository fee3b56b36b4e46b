// Theory of operation
//
// The engine runs on one thread around one epoll instance. Every descriptor it watches (the
// tap, each flow's host socket, the timer, an optional quit descriptor) is registered with a
// 64-bit tag that says what it is (`EventTag`): the kind in the top byte, a generation in the
// next three, a slot index in the low four. A wake-up hands the tags back in a batch copied
// into two arrays allocated once, and the engine switches on the kind; no closure is stored
// per descriptor, so registering a flow allocates nothing.
//
// The generation guards against a stale event: a flow evicted while handling one event of a
// batch may have its slot reused before a later event of the same batch names the old
// socket. The engine compares the tag's generation with the slot's and skips a mismatch.

import CFerryShim
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// What a ready descriptor is, packed into epoll's 64-bit user data.
struct EventTag: Equatable {
    enum Kind: UInt8 {
        case tap = 1
        case timer = 2
        case quit = 3
        case udpFlow = 4
        case icmpFlow = 5
        case tcpFlow = 6
        case tcpListener = 7
        case udpListener = 8
        case splice = 9
        case namespaceListener = 10
        case namespaceUDPListener = 11
        case loopbackUDPFlow = 12
    }

    let rawValue: UInt64

    init(_ kind: Kind, index: Int = 0, generation: UInt32 = 0) {
        rawValue =
            UInt64(kind.rawValue) << 56 | UInt64(generation & 0xFF_FFFF) << 32
            | UInt64(UInt32(truncatingIfNeeded: index))
    }

    init(rawValue: UInt64) { self.rawValue = rawValue }

    var kind: Kind? { Kind(rawValue: UInt8(truncatingIfNeeded: rawValue >> 56)) }
    var index: Int { Int(UInt32(truncatingIfNeeded: rawValue)) }
    var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) & 0xFF_FFFF }
}

/// One epoll instance and the buffers its wake-ups are copied into.
final class EventLoop {
    static let readable = FERRY_EPOLLIN
    static let hangUp = FERRY_EPOLLHUP | FERRY_EPOLLERR
    static let writable = FERRY_EPOLLOUT
    static let remoteHangUp = FERRY_EPOLLRDHUP
    static let edgeTriggered = FERRY_EPOLLET

    let descriptor: FileDescriptor
    private let tags: UnsafeMutablePointer<UInt64>
    private let events: UnsafeMutablePointer<UInt32>
    let batchSize: Int

    init() throws(SystemError) {
        let fd = ferry_epoll_create()
        guard fd >= 0 else { throw SystemError.lastError("creating the epoll instance") }
        descriptor = FileDescriptor(taking: fd)
        batchSize = Int(FERRY_EPOLL_BATCH)
        tags = .allocate(capacity: batchSize)
        events = .allocate(capacity: batchSize)
    }

    deinit {
        tags.deallocate()
        events.deallocate()
    }

    /// Watches `fd` for `events` (readable by default), reporting it with `tag`.
    func add(_ fd: Int32, tag: EventTag, events: UInt32 = EventLoop.readable)
        throws(SystemError)
    {
        if ferry_epoll_add(descriptor.rawValue, fd, events, tag.rawValue) != 0 {
            throw SystemError.lastError("watching descriptor \(fd)")
        }
    }

    /// Changes what `fd` is watched for; a failure (the descriptor is gone) is ignored.
    func modify(_ fd: Int32, tag: EventTag, events: UInt32) {
        _ = ferry_epoll_modify(descriptor.rawValue, fd, events, tag.rawValue)
    }

    /// Stops watching `fd` (closing it does that too, when it is the last reference).
    func remove(_ fd: Int32) {
        _ = ferry_epoll_delete(descriptor.rawValue, fd)
    }

    /// Waits up to `timeout` milliseconds (-1: forever); returns how many descriptors are
    /// ready, whose tags and event masks `tag(at:)` and `events(at:)` give until the next
    /// wait. An interrupted wait returns zero.
    func wait(timeout: Int32) throws(SystemError) -> Int {
        let count = ferry_epoll_wait(
            descriptor.rawValue, tags, events, Int32(batchSize), timeout)
        if count < 0 {
            if errno == EINTR { return 0 }
            throw SystemError.lastError("waiting for events")
        }
        return Int(count)
    }

    func tag(at index: Int) -> EventTag { EventTag(rawValue: tags[index]) }
    func events(at index: Int) -> UInt32 { events[index] }
}
