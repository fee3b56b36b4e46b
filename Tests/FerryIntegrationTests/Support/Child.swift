import FerrySystem
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
/// Built on FerrySystem's PipedProcess (posix_spawn and waitpid) rather than Foundation's
/// Process: with many children at once, Process.waitUntilExit missed a child's exit.
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
        let child = try PipedProcess.start(arguments)
        pid = child.pid

        Self.writeAll(Array((input ?? "").utf8), to: child.stdin)
        close(child.stdin)
        drain(child.stdout) { self.stdoutData.append($0) }
        drain(child.stderr) { self.stderrData.append($0) }
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
