import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a finished child printed and how it ended.
struct ChildResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String

    var succeeded: Bool { status == 0 }
}

/// A program started in the background, so a test can run many at once or signal one
/// while it works. Every child is killed once its deadline passes, so no test hangs.
///
/// Built on posix_spawn and waitpid rather than Foundation's Process: with many children
/// at once, Process.waitUntilExit was seen to miss a child's exit and wait forever.
final class Child: @unchecked Sendable {
    private let pid: pid_t
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()
    private var result: ChildResult?
    private var reaped = false
    private let drained = DispatchGroup()

    /// A write to a child that already exited must fail with EPIPE, not kill the tests.
    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Starts `arguments[0]` (looked up in PATH) with `input` on its stdin.
    init(_ arguments: [String], input: String? = nil, timeout: Double = 30) throws {
        Self.ignoreSIGPIPE
        let (childPID, stdin, output, errors) = try Self.spawnLock.withLock {
            try Self.spawn(arguments)
        }
        pid = childPID

        Self.writeAll(Array((input ?? "").utf8), to: stdin.write)
        close(stdin.write)
        drain(output.read) { self.stdoutData.append($0) }
        drain(errors.read) { self.stderrData.append($0) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
            lock.withLock { if !reaped { kill(pid, SIGKILL) } }
        }
    }

    /// Waits until the child has written `text` to stderr; false after `timeout` seconds.
    func waitForStderr(containing text: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let seen = lock.withLock { String(decoding: stderrData, as: UTF8.self) }
            if seen.contains(text) { return true }
            usleep(1000)
        }
        return false
    }

    /// Sends SIGTERM to the child (`ip netns exec` execs, so this reaches the program).
    func terminate() {
        lock.withLock { if !reaped { kill(pid, SIGTERM) } }
    }

    /// Waits for the child to end. A child ended by a signal reports 128 + the signal.
    func wait() -> ChildResult {
        if let done = lock.withLock({ result }) { return done }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        lock.withLock { reaped = true }
        drained.wait()
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return lock.withLock {
            let done = ChildResult(
                status: code, stdout: String(decoding: stdoutData, as: UTF8.self),
                stderr: String(decoding: stderrData, as: UTF8.self))
            result = done
            return done
        }
    }

    /// Reads a pipe to its end on another thread, so a chatty child never blocks.
    private func drain(_ descriptor: Int32, into store: @escaping @Sendable (Data) -> Void) {
        drained.enter()
        DispatchQueue.global().async { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count > 0 {
                    let chunk = Data(buffer[0..<count])
                    lock.withLock { store(chunk) }
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            close(descriptor)
            drained.leave()
        }
    }

    /// Pipes are made close-on-exec and the child started under one lock, so children
    /// started at the same time never inherit each other's pipe ends.
    private static let spawnLock = NSLock()

    private typealias Pipe = (read: Int32, write: Int32)

    private static func spawn(_ arguments: [String]) throws -> (pid_t, Pipe, Pipe, Pipe) {
        let stdin = try pipe()
        let output = try pipe()
        let errors = try pipe()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)

        // The child starts with default signal handling and nothing blocked.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGCHLD] { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var childPID: pid_t = 0
        let spawned = posix_spawnp(&childPID, arguments[0], &actions, &attributes, argv, environ)
        for descriptor in [stdin.read, output.write, errors.write] { close(descriptor) }
        guard spawned == 0 else {
            for descriptor in [stdin.write, output.read, errors.read] { close(descriptor) }
            throw LabError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        return (childPID, stdin, output, errors)
    }

    private static func pipe() throws -> Pipe {
        var descriptors: [Int32] = [0, 0]
        guard Glibc.pipe(&descriptors) == 0 else {
            throw LabError("pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return (descriptors[0], descriptors[1])
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                write(descriptor, $0.baseAddress, $0.count)
            }
            if written > 0 {
                offset += written
            } else if written == -1 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
