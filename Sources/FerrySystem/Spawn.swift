import CFerryShim

#if canImport(Glibc)
    import Glibc
#endif

/// A child started with posix_spawn and waited for with waitpid, for helpers that must
/// be watched with a deadline (a daemon's starter, which may hang): no run loop, no
/// threads, and the child inherits only its three standard descriptors.
public struct SpawnedProcess: Sendable {
    public let pid: pid_t

    /// A child this process started some other way (with its own descriptor layout).
    public init(pid: pid_t) { self.pid = pid }

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
        // Nothing else is inherited: a daemon holding Ferry's lock or a caller's pipe
        // (not every descriptor is close-on-exec) would block them for its whole life.
        ferry_spawn_closefrom(&actions, 3)

        // A clean signal state: a caller's blocked or ignored SIGHUP would otherwise stay so
        // for a daemon's whole life.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        resetSignals(&attributes)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
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
