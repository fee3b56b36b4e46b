import FerryAddress

/// Writes a frame front to back into a caller-provided buffer, refusing to overrun it.
///
/// Every write checks capacity; after the first one that does not fit, `failed` stays set and
/// later writes do nothing, so a builder writes its whole frame and checks once at the end.
public struct PacketWriter {
    public let bytes: PacketBytes
    public private(set) var offset = 0
    public private(set) var failed = false

    public init(_ buffer: UnsafeMutableRawBufferPointer) { bytes = PacketBytes(buffer) }
    public init(_ bytes: PacketBytes) { self.bytes = bytes }

    /// The written length, or nil when something did not fit.
    public var length: Int? { failed ? nil : offset }

    /// Marks the frame as not fitting (a builder found its input out of range).
    public mutating func fail() { failed = true }

    /// Reserves `count` bytes, returning their offset (zeroed), or nil when full.
    @discardableResult
    public mutating func reserve(_ count: Int) -> Int? {
        guard !failed, count >= 0, bytes.contains(offset, count), let base = bytes.base else {
            failed = true
            return nil
        }
        let start = offset
        (base + start).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        offset += count
        return start
    }

    public mutating func u8(_ value: UInt8) {
        if let at = reserve(1) { bytes.setU8(at, value) }
    }

    public mutating func u16(_ value: UInt16) {
        if let at = reserve(2) { bytes.setU16(at, value) }
    }

    public mutating func u32(_ value: UInt32) {
        if let at = reserve(4) { bytes.setU32(at, value) }
    }

    public mutating func u64(_ value: UInt64) {
        u32(UInt32(truncatingIfNeeded: value >> 32))
        u32(UInt32(truncatingIfNeeded: value))
    }

    public mutating func zeros(_ count: Int) { reserve(count) }

    /// Advances over `count` bytes the caller already placed in the output (a payload read
    /// straight into the frame), leaving them as they are.
    public mutating func skip(_ count: Int) {
        guard !failed, count >= 0, bytes.contains(offset, count) else {
            failed = true
            return
        }
        offset += count
    }

    public mutating func address(_ address: IPAddress) {
        switch address {
        case .v4(let value): u32(value)
        case .v6(let high, let low):
            u64(high)
            u64(low)
        }
    }

    public mutating func ethernet(_ address: EthernetAddress) {
        u16(UInt16(truncatingIfNeeded: address.value >> 32))
        u32(UInt32(truncatingIfNeeded: address.value))
    }

    /// Copies bytes from another buffer (an echo payload, a client identifier).
    public mutating func copy(_ source: PacketBytes) {
        guard let at = reserve(source.count), source.count > 0 else { return }
        guard let from = source.base, let to = bytes.base else { return }
        (to + at).copyMemory(from: from, byteCount: source.count)
    }

    /// The written bytes from `start` to the current offset.
    public func written(from start: Int) -> PacketBytes {
        bytes.slice(start, offset - start) ?? PacketBytes(base: nil, count: 0)
    }
}
