#if canImport(Glibc)
    import Glibc
#endif

/// A file descriptor with one owner, which closes it when it goes away.
public final class FileDescriptor: @unchecked Sendable {
    /// The raw descriptor; valid while this object lives.
    public private(set) var rawValue: Int32

    public init(taking rawValue: Int32) {
        precondition(rawValue >= 0, "file descriptor must be valid")
        self.rawValue = rawValue
    }

    /// open(2) with O_CLOEXEC added.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644)
        throws(SystemError) -> FileDescriptor
    {
        let fd = try retryingOnInterrupt("opening \(path)") {
            Glibc.open(path, flags | O_CLOEXEC, mode)
        }
        return FileDescriptor(taking: fd)
    }

    /// Gives up ownership without closing; the caller owns the descriptor afterwards.
    public func release() -> Int32 {
        let fd = rawValue
        rawValue = -1
        return fd
    }

    public func close() {
        guard rawValue >= 0 else { return }
        // close(2) must not be retried on EINTR on Linux: the descriptor is gone either way.
        _ = Glibc.close(rawValue)
        rawValue = -1
    }

    deinit { close() }

    /// Reads the whole file from the current offset.
    public func readAll() throws(SystemError) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = try retryingOnInterrupt("reading") {
                chunk.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, $0.count) }
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes every byte, retrying short writes.
    public func writeAll(_ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = try retryingOnInterrupt("writing") {
                bytes.withUnsafeBytes {
                    Glibc.write(rawValue, $0.baseAddress! + offset, $0.count - offset)
                }
            }
            offset += written
        }
    }
}

/// Writes text to standard error, unbuffered; for command-line surfaces' own messages.
public func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
