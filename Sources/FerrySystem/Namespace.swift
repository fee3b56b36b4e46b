import CFerryShim

#if canImport(Glibc)
    import Glibc
#endif

/// A network namespace, held open by a file descriptor.
///
/// Work inside it runs on a fresh thread that joins the namespace and ends afterwards, so
/// no thread of Ferry's is ever left in a foreign namespace. Sockets opened there keep the
/// namespace after the thread is gone, which is how netlink reaches into a container.
public final class NetworkNamespace: Sendable {
    public let path: String
    public let descriptor: FileDescriptor

    /// Opens a namespace by path: a bind mount such as /run/netns/x or /proc/PID/ns/net.
    public init(path: String) throws(SystemError) {
        self.path = path
        do {
            descriptor = try FileDescriptor.open(path, O_RDONLY)
        } catch {
            throw SystemError("opening network namespace \(path)", errno: error.errno)
        }
    }

    /// The namespace of the calling thread.
    public static func current() throws(SystemError) -> NetworkNamespace {
        try NetworkNamespace(path: "/proc/thread-self/ns/net")
    }

    /// The namespace's inode, which identifies it: equal inodes are the same namespace.
    public func inode() throws(SystemError) -> UInt64 {
        var info = stat()
        if fstat(descriptor.rawValue, &info) != 0 {
            throw SystemError.lastError("reading namespace \(path)")
        }
        return UInt64(info.st_ino)
    }

    /// Runs `body` on a new thread that has joined this namespace, and waits for it.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let fd = descriptor.rawValue
        let path = self.path
        return try runOnFreshThread {
            if ferry_setns(fd, FERRY_CLONE_NEWNET) != 0 {
                throw SystemError.lastError("entering network namespace \(path)")
            }
            return try body()
        }
    }
}

/// Runs `body` on a new pthread and returns what it returned or rethrows what it threw.
/// The thread ends with the body, taking any namespace it joined with it.
public func runOnFreshThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws
    -> T
{
    let outcome = ThreadOutcome<T>()
    let job = ThreadJob { outcome.result = Result { try body() } }
    let unmanaged = Unmanaged.passRetained(job)
    var thread = pthread_t()
    let created = pthread_create(&thread, nil, threadEntry, unmanaged.toOpaque())
    if created != 0 {
        unmanaged.release()
        throw SystemError("starting a thread", errno: created)
    }
    pthread_join(thread, nil)
    return try outcome.result!.get()
}

private func threadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let job = Unmanaged<ThreadJob>.fromOpaque(raw!).takeRetainedValue()
    job.work()
    return nil
}

/// What the thread runs; handed over through pthread_create's argument.
private final class ThreadJob: @unchecked Sendable {
    let work: () -> Void
    init(_ work: @escaping () -> Void) { self.work = work }
}

/// Written by the thread before it ends, read after pthread_join: join orders the two.
private final class ThreadOutcome<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
