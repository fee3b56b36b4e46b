#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call: what was being done, and the errno the kernel gave.
///
/// The message reads "what failed: why (errno N)", the house form, so a caller can put its
/// own context in front of it.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public let operation: String
    public let errno: Int32

    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    /// Captures the calling thread's errno; call it straight after the failing call.
    public static func lastError(_ operation: String) -> SystemError {
        SystemError(operation, errno: Glibc.errno)
    }

    public var description: String {
        "\(operation): \(SystemError.reason(errno)) (errno \(errno))"
    }

    /// The C library's text for an errno, e.g. "File exists" for EEXIST.
    public static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// Runs a system call again while it fails with EINTR; the one place that retry lives.
///
/// The body returns the call's result; -1 means failure with errno set.
@discardableResult
public func retryingOnInterrupt<T: FixedWidthInteger>(
    _ operation: @autoclosure () -> String,
    _ body: () -> T
) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemError(operation(), errno: code)
    }
}
