// Theory of operation
//
// A TCP connection the container opens is carried as two halves the engine joins without
// terminating either: the container's segments become writes on a host socket the engine
// connected on its behalf, and what the host socket receives becomes segments to the
// container. The engine keeps no data of its own. Container to host, it acknowledges only
// what the socket accepted and advertises only the socket's free send-buffer space, so the
// container never sends more than the host side can take. Host to container, it peeks at
// the socket's receive queue (SO_PEEK_OFF keeps the read position past what was already
// sent) and removes bytes from the queue only once the container acknowledges them, so the
// socket's receive queue is the retransmission buffer.
//
// One connection is one entry of a fixed-size table: the index, the socket and the event
// generation come from `FlowTable`, and the TCP state sits in a parallel array of
// `TCPConnection` values at the same index. Sequence numbers on the container's side are
// the container's own (`containerNext`, what it sends next) and the engine's
// (`sendUnacked` ... `sendNext`, what it sent), compared modulo 2^32.
//
// Phases: `connecting` (SYN seen, connect in progress; nothing answered yet),
// `synAckSent` (connect succeeded, waiting for the container's ACK), `established`; a
// connection accepted on a forwarded port starts in `synSent` instead (Engine+Forward). The
// closing steps are flags, one per direction: `containerFIN` (the container's FIN was
// turned into shutdown(SHUT_WR)), `hostEOF` / `finSent` / `finAcked` (the host's end of
// stream, our FIN to the container, its acknowledgment). The entry goes once both
// directions are closed, or on a reset from either side.

import FerryAddress

/// The TCP state of one carried connection.
struct TCPConnection {
    enum Phase: UInt8 {
        case connecting
        case synAckSent
        case established
        /// A forwarded port's connection: our SYN went to the container, no SYN-ACK yet.
        case synSent
    }

    var phase = Phase.connecting
    /// The container's FIN came and the socket's write side was shut down.
    var containerFIN = false
    /// The host socket reached end of stream.
    var hostEOF = false
    /// Our FIN went to the container (it takes the sequence number `sendNext - 1`).
    var finSent = false
    var finAcked = false

    /// Container to host: the container's next sequence number, which we acknowledge.
    var containerNext: UInt32 = 0
    /// Host to container: our initial sequence number, the oldest unacknowledged one and the
    /// next to send.
    var initialSequence: UInt32 = 0
    var sendUnacked: UInt32 = 0
    var sendNext: UInt32 = 0
    /// The container's receive window in bytes (scaled) and its scale.
    var containerWindow: UInt32 = 0
    var containerScale: UInt8 = 0
    /// The scale of the windows we advertise; nil when the container offered none.
    var ourScale: UInt8? = nil
    /// The largest payload to put in one segment to the container.
    var segmentSize = 536
    var duplicateAcks: UInt8 = 0
    /// The last window we advertised was small: watch the socket for free space.
    var windowLimited = false
    /// The window field of the last segment we sent.
    var lastWindow: UInt16 = 0
    /// An ACK is owed to the container (sent after the current batch of tap frames).
    var ackPending = false

    /// Milliseconds on the monotonic clock when unacknowledged data or a SYN-ACK is resent;
    /// zero when nothing waits.
    var retransmitAt: UInt64 = 0
    var retransmits: UInt8 = 0
    /// Milliseconds on the monotonic clock when the container's closed window is probed
    /// next (the persist timer); zero unless its window is zero with nothing in flight.
    var persistAt: UInt64 = 0
    /// Probes sent since the window closed (the backoff's exponent), and since the
    /// container last answered anything.
    var probes: UInt8 = 0
    var probesUnanswered: UInt8 = 0
    /// The epoll events the socket is registered for.
    var events: UInt32 = 0

    /// Bytes sent and not yet acknowledged, FIN excluded.
    var dataInFlight: UInt32 {
        sendNext &- sendUnacked &- (finSent && !finAcked ? 1 : 0)
    }

    /// Whether both directions are over.
    var isClosed: Bool { containerFIN && finAcked }
}

/// Sequence-number arithmetic modulo 2^32 (RFC 9293 3.4).
enum Sequence {
    /// `a` comes after `b`.
    static func after(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) > 0 }
    static func atOrAfter(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) >= 0 }
}

/// The connection table: a `FlowTable` for lookup and sockets, TCP state beside it, and
/// the list of connections that owe the container an ACK.
final class TCPConnectionTable {
    let flows: FlowTable
    private let states: UnsafeMutableBufferPointer<TCPConnection>
    private let pending: UnsafeMutableBufferPointer<Int32>
    private(set) var pendingCount = 0

    init(capacity: Int) {
        flows = FlowTable(capacity: capacity)
        states = .allocate(capacity: flows.capacity)
        states.initialize(repeating: TCPConnection())
        pending = .allocate(capacity: flows.capacity)
    }

    deinit {
        states.deallocate()
        pending.deallocate()
    }

    var capacity: Int { flows.capacity }

    subscript(index: Int) -> TCPConnection {
        get { states[index] }
        set { states[index] = newValue }
    }

    func socket(_ index: Int) -> Int32 { flows[index].socket }

    /// Whether `index` names a live entry of generation `generation`.
    func isLive(_ index: Int, generation: UInt32) -> Bool {
        index < flows.capacity && flows[index].socket >= 0
            && flows[index].generation == generation
    }

    func insert(_ key: FlowKey, socket: Int32, now: UInt64) -> Int {
        let index = flows.insert(key, socket: socket, now: now)
        states[index] = TCPConnection()
        return index
    }

    /// Closes the socket and frees the entry (a pending ACK for it is skipped).
    func remove(_ index: Int) {
        states[index].ackPending = false
        flows.remove(index)
    }

    /// Notes that `index` owes the container an ACK.
    func markAckPending(_ index: Int) {
        guard !states[index].ackPending, pendingCount < flows.capacity else { return }
        states[index].ackPending = true
        pending[pendingCount] = Int32(index)
        pendingCount += 1
    }

    /// Hands each connection owing an ACK to `body` once, and empties the list.
    func drainPending(_ body: (Int) -> Void) {
        let count = pendingCount
        pendingCount = 0
        for position in 0..<count {
            let index = Int(pending[position])
            guard states[index].ackPending, flows[index].socket >= 0 else { continue }
            states[index].ackPending = false
            body(index)
        }
    }
}
