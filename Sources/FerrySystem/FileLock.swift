#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive flock(2) on a file, held until `unlock` or until the object goes away.
///
/// Ferry serialises setup and teardown with one under its `--config` directory, so parallel
/// calls on a network that does not exist yet cannot race on the bridge.
public final class FileLock {
    private let descriptor: FileDescriptor
    public let path: String

    /// Creates the file (and its directory) when missing, then waits for the lock.
    public init(path: String) throws {
        self.path = path
        let directory = path.split(separator: "/", omittingEmptySubsequences: false)
            .dropLast().joined(separator: "/")
        if !directory.isEmpty { try FileSystem.makeDirectories(directory) }
        descriptor = try FileDescriptor.open(path, O_RDWR | O_CREAT, mode: 0o600)
        try retryingOnInterrupt("locking \(path)") { flock(descriptor.rawValue, LOCK_EX) }
    }

    public func unlock() {
        _ = flock(descriptor.rawValue, LOCK_UN)
        descriptor.close()
    }
}
