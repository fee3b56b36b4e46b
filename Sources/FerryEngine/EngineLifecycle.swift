import CFerryShim
import FerrySystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Tells the data path when the container's namespace is gone, so the engine can quit by
/// itself, as pasta does.
///
/// The engine's loop adds `descriptor` to its epoll set for EPOLLIN and, when it is
/// readable, calls `namespaceGone()`; true means: stop now. One descriptor either way:
/// - attached by PID: a pidfd, readable once that process has exited;
/// - attached by path: a periodic timerfd; each tick checks that the path still names the
///   namespace it named at start (same inode), which fails once the bind mount is removed
///   or, for /proc/PID/ns/net, once the process is gone. (The tap itself keeps the
///   namespace alive, so the data path cannot see its death on the tap.)
///
/// `ferry pasta` makes one and installs it (`EngineLifecycle.installed`) before it starts
/// `Engine.run()`.
public final class EngineLifecycle: Sendable {
    public enum Watch: Sendable, Equatable {
        case process(pid_t)
        /// The namespace file, and the inode it had when the engine attached.
        case path(String, inode: UInt64)
    }

    public let watch: Watch
    public let descriptor: FileDescriptor

    /// How often a path is checked.
    public static let checkInterval = 250

    public init(watch: Watch) throws(SystemError) {
        self.watch = watch
        switch watch {
        case .process(let pid):
            let fd = ferry_pasta_pidfd_open(pid)
            if fd < 0 { throw SystemError.lastError("watching process \(pid) (pidfd_open)") }
            descriptor = FileDescriptor(taking: fd)
        case .path(let path, _):
            let fd = ferry_timerfd_periodic(Int32(Self.checkInterval))
            if fd < 0 { throw SystemError.lastError("watching \(path) (timerfd_create)") }
            descriptor = FileDescriptor(taking: fd)
        }
    }

    /// The inode a namespace path names now; nil when it names nothing.
    public static func inode(of path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }

    /// Call when `descriptor` is readable: drains it and says whether the namespace is gone.
    public func namespaceGone() -> Bool {
        switch watch {
        case .process:
            // A pidfd turns readable only when the process has exited.
            return true
        case .path(let path, let inode):
            var expirations: UInt64 = 0
            _ = read(descriptor.rawValue, &expirations, 8)
            return Self.inode(of: path) != inode
        }
    }

    /// Blocks until the namespace is gone; for a caller with no loop of its own.
    public func waitUntilGone() {
        while true {
            var entry = pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, -1)
            if ready < 0 && errno == EINTR { continue }
            if ready > 0 && namespaceGone() { return }
        }
    }

    private static let current = Mutex<EngineLifecycle?>(nil)

    /// The lifecycle of this process's engine (one engine per process), set by `ferry pasta`
    /// before `Engine.run()`; nil when the engine runs without one (tests of the data path).
    public static var installed: EngineLifecycle? {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
