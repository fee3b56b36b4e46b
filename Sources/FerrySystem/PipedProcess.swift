import CFerryShim

#if canImport(Glibc)
    import Glibc
#endif

/// A child whose standard streams are pipes to the caller, started with posix_spawnp.
///
/// The pipes are made close-on-exec atomically (pipe2), so children started at the same
/// time from several threads never inherit each other's ends. The child starts with
/// default signal handling and nothing blocked, whatever the caller ignores or blocks.
public struct PipedProcess: Sendable {
    public let pid: pid_t
    /// The write end of the child's stdin; the caller closes it.
    public let stdin: Int32
    /// The read ends of the child's stdout and stderr; the caller closes them.
    public let stdout: Int32
    public let stderr: Int32

    /// Starts `arguments[0]` (looked up in PATH) with the rest as its arguments, in
    /// `environment` when given, else in this process's environment.
    public static func start(_ arguments: [String], environment: [String: String]? = nil)
        throws(SystemError) -> PipedProcess
    {
        precondition(!arguments.isEmpty, "a command needs a program")
        let input = try pipe()
        let output = try pipe()
        let errors = try pipe()
        let childEnds = [input.read, output.write, errors.write]
        defer { for descriptor in childEnds { close(descriptor) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        resetSignals(&attributes)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { settings in
            settings.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer { envp?.forEach { free($0) } }

        // ETXTBSY: a program just written may still be open for writing in a child that
        // another thread forked before the writer closed it; that child execs soon.
        var pid: pid_t = 0
        var result: Int32 = 0
        for attempt in 0..<20 {
            result =
                envp.map { envp in
                    posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
                } ?? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
            guard result == ETXTBSY, attempt < 19 else { break }
            usleep(10_000)
        }
        guard result == 0 else {
            for descriptor in [input.write, output.read, errors.read] { close(descriptor) }
            throw SystemError("starting \(arguments[0])", errno: result)
        }
        return PipedProcess(pid: pid, stdin: input.write, stdout: output.read, stderr: errors.read)
    }

    /// Waits for the child and returns its exit status, or 128 + the signal that ended it.
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func pipe() throws(SystemError) -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [0, 0]
        guard ferry_pipe_cloexec(&descriptors) == 0 else {
            throw SystemError.lastError("creating a pipe")
        }
        return (descriptors[0], descriptors[1])
    }
}

/// Makes a spawned child start with default signal handling and nothing blocked, whatever
/// the caller ignores (teardown ignores SIGTERM and SIGHUP) or blocks (test runners).
/// Sets the attributes' flags to those two; add others after it.
public func resetSignals(_ attributes: inout posix_spawnattr_t) {
    var noSignals = sigset_t()
    var allSignals = sigset_t()
    sigemptyset(&noSignals)
    sigfillset(&allSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
}
