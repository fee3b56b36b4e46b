import CFerryShim
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// Starting slirp4netns so it outlives `ferry setup`, and waiting until it is ready.
///
/// slirp4netns's sandbox (a mount namespace of its own) needs capabilities in the user
/// namespace it runs in, so, like Podman, Ferry starts it inside the user namespace that
/// owns the container's network namespace: through `ferry __slirp4netns-exec`, which a
/// constructor moves into that namespace before main (FERRY_ENTER_NAMESPACES) and which
/// then execs slirp4netns. Its network namespace stays the caller's, the host side.
/// Without a user namespace to join (rootful), the exec step first moves into a mount
/// namespace of its own, so the sandbox's unmounts cannot reach the host's mounts.
enum Slirp4netnsSpawn {
    /// Where slirp4netns finds its ready pipe (`-r 3`) and the helper its user namespace.
    static let readyDescriptor: Int32 = 3
    static let usernsDescriptor: Int32 = 4

    /// How the wait for the ready pipe ended.
    enum Readiness: Equatable {
        case ready
        case exited(SpawnedProcess.Ending)
        case timedOut
    }

    /// Starts `binary ARGUMENTS` in a session of its own with a clean signal state, stdin
    /// from /dev/null, stdout and stderr into `log`, the ready pipe's write end at 3 and no
    /// other descriptor of ours. With `userns`, it runs inside that user namespace.
    static func start(
        binary: String, arguments: [String], userns: FileDescriptor?, ready: FileDescriptor,
        log: FileDescriptor
    ) throws -> SpawnedProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, log.rawValue, 1)
        posix_spawn_file_actions_adddup2(&actions, log.rawValue, 2)

        // Park the sources clear of 3 and 4 first, so no dup2 overwrites a later source.
        let sources = [ready.rawValue] + (userns.map { [$0.rawValue] } ?? [])
        let parked = sources.map { fcntl($0, F_DUPFD_CLOEXEC, 100) }
        defer { for fd in parked where fd >= 0 { close(fd) } }
        if parked.contains(where: { $0 < 0 }) {
            throw SystemError.lastError("preparing slirp4netns's descriptors")
        }
        for (offset, fd) in parked.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, fd, readyDescriptor + Int32(offset))
        }
        // Nothing else crosses over: not Ferry's lock, not the pipes of Ferry's caller.
        ferry_spawn_closefrom(&actions, readyDescriptor + Int32(parked.count))

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        var allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | FERRY_POSIX_SPAWN_SETSID)

        // Always through the exec step: it joins the user namespace, or else moves into a
        // mount namespace that sends no propagation back (see CFerryShim/slirp4netns.c).
        let executable = try PastaSpawn.selfExecutable()
        let argv = ["ferry", Slirp4netnsHelpers.execCommand, binary] + arguments
        let environment =
            userns == nil
            ? ["FERRY_SLAVE_MOUNTS=1"] : ["FERRY_ENTER_NAMESPACES=\(usernsDescriptor),-1"]
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) }
        var entry = environ
        while let pointer = entry.pointee {
            let setting = String(cString: pointer)
            if !setting.hasPrefix("FERRY_ENTER_NAMESPACES=")
                && !setting.hasPrefix("FERRY_SLAVE_MOUNTS=")
            {
                cEnvironment.append(strdup(pointer))
            }
            entry += 1
        }
        cEnvironment.append(nil)
        defer { for pointer in cEnvironment { free(pointer) } }

        var pid: pid_t = 0
        let result = posix_spawn(
            &pid, executable, &actions, &attributes, cArguments, cEnvironment)
        guard result == 0 else { throw SystemError("starting \(binary)", errno: result) }
        return SpawnedProcess(pid: pid)
    }

    /// Waits for slirp4netns to write to its ready pipe, to exit, or for the deadline.
    /// `ready` is the read end; the caller has closed its copy of the write end, so an
    /// exit before readiness shows as end of file.
    static func waitUntilReady(
        _ process: SpawnedProcess, ready: FileDescriptor, seconds: Double
    ) -> Readiness {
        let deadline = monotonicNow() + seconds
        while true {
            let left = deadline - monotonicNow()
            guard left > 0 else { return .timedOut }
            var entry = pollfd(fd: ready.rawValue, events: Int16(POLLIN), revents: 0)
            let polled = poll(&entry, 1, Int32(min(left, 1) * 1000) + 1)
            if polled < 0 && errno != EINTR { return .timedOut }
            if polled > 0 {
                var byte: UInt8 = 0
                if read(ready.rawValue, &byte, 1) == 1 { return .ready }
                // End of file: it is gone, or about to be; collect how it ended.
                return .exited(process.wait() ?? .exited(-1))
            }
            if let ending = try? process.poll() { return .exited(ending) }
        }
    }

    private static func monotonicNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
