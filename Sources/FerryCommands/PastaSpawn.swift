import CFerryShim
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// Starts ferry itself again (/proc/self/exe) for the internal steps of `ferry pasta`,
/// with chosen descriptors at fixed numbers. posix_spawn, not fork: this process may have
/// threads, and the child must start clean.
enum PastaSpawn {
    /// Spawns `ferry ARGUMENTS...` with `descriptors[i]` as descriptor 3 + i; returns its pid.
    static func spawn(
        _ arguments: [String], descriptors: [Int32], environment extra: [String] = [],
        newSession: Bool = false
    ) throws -> pid_t {
        let executable = try selfExecutable()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Move the sources clear of 3... first, so no dup2 overwrites a later source.
        let parked = descriptors.map { fcntl($0, F_DUPFD_CLOEXEC, 100) }
        defer { for fd in parked where fd >= 0 { close(fd) } }
        if parked.contains(where: { $0 < 0 }) {
            throw SystemError.lastError("preparing descriptors for \(arguments.first ?? "")")
        }
        for (offset, fd) in parked.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, fd, 3 + Int32(offset))
        }
        // Nothing else crosses over: a daemon holding a descriptor its caller's caller
        // watches for EOF (Foundation's Process does) would hold that caller up.
        ferry_pasta_spawn_close_from(&actions, 3 + Int32(descriptors.count))

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The daemon outlives its caller: it must not keep a mask that blocks teardown's
        // SIGTERM (test runners and shells that ignore SIGHUP pass theirs on).
        resetSignals(&attributes)
        if newSession {
            var flags: Int16 = 0
            posix_spawnattr_getflags(&attributes, &flags)
            posix_spawnattr_setflags(&attributes, flags | FERRY_POSIX_SPAWN_SETSID)
        }

        let argv = (["ferry"] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var environment: [UnsafeMutablePointer<CChar>?] = extra.map { strdup($0) }
        var entry = environ
        while let pointer = entry.pointee {
            environment.append(strdup(pointer))
            entry += 1
        }
        environment.append(nil)
        defer { for pointer in environment { free(pointer) } }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environment)
        if result != 0 {
            throw SystemError("starting \(executable) \(arguments.first ?? "")", errno: result)
        }
        return pid
    }

    static func selfExecutable() throws(SystemError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length < 0 { throw SystemError.lastError("reading /proc/self/exe") }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Waits for a child and returns its exit status (128 + signal when killed).
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 127 }
        }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }
}
