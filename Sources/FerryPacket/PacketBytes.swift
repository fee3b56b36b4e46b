// Theory of operation
//
// The engine owns one receive buffer and one send buffer, allocated once. A frame read from the
// tap is parsed in place: every view in this target (`EthernetFrame`, `IPv4Packet`, `UDPDatagram`,
// ...) is a small struct holding a `PacketBytes` (a pointer and a length) plus offsets, and its
// fields are loaded on demand in network byte order. A parser is a failable initializer that
// checks every length it relies on before any load, so hostile input yields nil, never a trap.
// Replies are written by builders into a caller-provided buffer through `PacketWriter`, which
// checks capacity and returns the written length (nil when it does not fit).
//
// Nothing in the per-packet path creates an Array, a String or a class instance, and no
// closure escapes: views and writers are trivial structs, addresses travel as `IPAddress`
// (an enum of integers) and `EthernetAddress` (an integer), so parsing and answering a frame
// cannot allocate on the heap. Configuration (leases, DNS lists) is built once at start-up.

import FerryAddress

/// A bounds-checked window over bytes the caller owns (the engine's frame buffer).
///
/// Loads past the end return zero rather than trapping; parsers check lengths first, so this
/// is a second line of defence, not the validation itself.
public struct PacketBytes {
    public let base: UnsafeMutableRawPointer?
    public let count: Int

    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress
        count = buffer.count
    }

    public init(base: UnsafeMutableRawPointer?, count: Int) {
        self.base = base
        self.count = max(0, count)
    }

    /// The bytes from `offset` to the end, or nil when `offset` is out of range.
    public func dropFirst(_ offset: Int) -> PacketBytes? {
        guard offset >= 0, offset <= count else { return nil }
        return PacketBytes(base: base.map { $0 + offset }, count: count - offset)
    }

    /// The first `length` bytes, or nil when there are fewer.
    public func prefix(_ length: Int) -> PacketBytes? {
        guard length >= 0, length <= count else { return nil }
        return PacketBytes(base: base, count: length)
    }

    /// `length` bytes from `offset`, or nil when they are not all there.
    public func slice(_ offset: Int, _ length: Int) -> PacketBytes? {
        dropFirst(offset)?.prefix(length)
    }

    public func contains(_ offset: Int, _ length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= count && length <= count - offset
    }

    public func u8(_ offset: Int) -> UInt8 {
        guard let base, contains(offset, 1) else { return 0 }
        return base.load(fromByteOffset: offset, as: UInt8.self)
    }

    public func u16(_ offset: Int) -> UInt16 {
        guard let base, contains(offset, 2) else { return 0 }
        return UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    public func u32(_ offset: Int) -> UInt32 {
        guard let base, contains(offset, 4) else { return 0 }
        return UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    public func u64(_ offset: Int) -> UInt64 {
        guard let base, contains(offset, 8) else { return 0 }
        return UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A 16-bit value in the host's byte order (the tap's virtio-net header).
    public func nativeU16(_ offset: Int) -> UInt16 {
        guard let base, contains(offset, 2) else { return 0 }
        return base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
    }

    public func ipv4(_ offset: Int) -> IPAddress { .v4(u32(offset)) }
    public func ipv6(_ offset: Int) -> IPAddress { .v6(u64(offset), u64(offset + 8)) }
    public func ethernet(_ offset: Int) -> EthernetAddress {
        EthernetAddress(UInt64(u16(offset)) << 32 | UInt64(u32(offset + 2)))
    }

    public func setU8(_ offset: Int, _ value: UInt8) {
        guard let base, contains(offset, 1) else { return }
        base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }

    public func setU16(_ offset: Int, _ value: UInt16) {
        guard let base, contains(offset, 2) else { return }
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    public func setNativeU16(_ offset: Int, _ value: UInt16) {
        guard let base, contains(offset, 2) else { return }
        base.storeBytes(of: value, toByteOffset: offset, as: UInt16.self)
    }

    public func setU32(_ offset: Int, _ value: UInt32) {
        guard let base, contains(offset, 4) else { return }
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    /// Sums the bytes into a checksum accumulator.
    public func checksum(into sum: inout InternetChecksum) {
        guard let base else { return }
        sum.add(UnsafeRawBufferPointer(start: base, count: count))
    }
}
