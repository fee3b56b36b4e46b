#if canImport(Glibc)
    import Glibc
#endif

/// A child started with posix_spawn and waited for with waitpid, for helpers that must
/// be watched with a deadline (a daemon's starter, which may hang): no run loop, no
/// threads; descriptors opened close-on-exec stay behind.
public struct SpawnedProcess: Sendable {
    public let pid: pid_t

    /// How a child ended.
    public enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Runs `path` with `arguments` (argv[1...]), stdin from /dev/null and stdout and
    /// stderr into `output`.
    public static func spawn(_ path: String, _ arguments: [String], output: FileDescriptor)
        throws(SystemError) -> SpawnedProcess
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output.rawValue, 1)
        posix_spawn_file_actions_adddup2(&actions, output.rawValue, 2)
        // Ferry's other descriptors (the lock, netlink sockets) are opened close-on-exec,
        // so a daemon started here holds none of them.

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard result == 0 else { throw SystemError("starting \(path)", errno: result) }
        return SpawnedProcess(pid: pid)
    }

    /// The ending, once the child has ended; nil while it runs. Reaps it.
    public func poll() throws(SystemError) -> Ending? {
        var status: Int32 = 0
        let result = try retryingOnInterrupt("waiting for pid \(pid)") {
            waitpid(pid, &status, WNOHANG)
        }
        guard result == pid else { return nil }
        // The <sys/wait.h> macros, which Swift does not import.
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(status & 0x7f)
    }

    /// Sends a signal to the child; it must not have been reaped yet.
    public func signal(_ number: Int32) {
        _ = kill(pid, number)
    }

    /// Waits until the child ends, blocking.
    @discardableResult
    public func wait() -> Ending? {
        var status: Int32 = 0
        guard (try? retryingOnInterrupt("waiting", { waitpid(pid, &status, 0) })) == pid else {
            return nil
        }
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(status & 0x7f)
    }
}
