#if canImport(Glibc)
    import Glibc
#endif

/// What a finished command printed and how it ended.
public struct CommandResult: Sendable {
    /// The exit status, or 128 + the signal that ended it.
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var succeeded: Bool { status == 0 }
}

/// Runs programs to completion for the tools around Ferry's work (tests, benchmarks,
/// preflights), never for the packet path.
///
/// One thread feeds stdin and drains stdout and stderr with poll(2), so no pipe can fill
/// up and block the child, and no run loop is involved: Foundation's Process was seen to
/// miss a child's exit and wait forever when many ran at once.
public enum Command {
    public static func run(
        _ arguments: [String], input: String? = nil, environment: [String: String]? = nil
    ) throws -> CommandResult {
        let child = try PipedProcess.start(arguments, environment: environment)
        var pending = Array((input ?? "").utf8)[...]
        var output: [UInt8] = []
        var errors: [UInt8] = []
        var open: [(descriptor: Int32, events: Int16)] = [
            (child.stdout, Int16(POLLIN)), (child.stderr, Int16(POLLIN)),
        ]
        if pending.isEmpty {
            close(child.stdin)
        } else {
            open.append((child.stdin, Int16(POLLOUT)))
        }

        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var polled = open.map { pollfd(fd: $0.descriptor, events: $0.events, revents: 0) }
            if poll(&polled, nfds_t(polled.count), -1) < 0 {
                if errno == EINTR { continue }
                throw SystemError.lastError("waiting for \(arguments[0])")
            }
            for entry in polled where entry.revents != 0 {
                if entry.fd == child.stdin {
                    let written = pending.withUnsafeBytes {
                        write(entry.fd, $0.baseAddress, $0.count)
                    }
                    if written > 0 { pending = pending.dropFirst(written) }
                    if pending.isEmpty || (written < 0 && errno != EINTR && errno != EAGAIN) {
                        close(entry.fd)
                        open.removeAll { $0.descriptor == entry.fd }
                    }
                    continue
                }
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if entry.fd == child.stdout {
                        output += buffer[0..<count]
                    } else {
                        errors += buffer[0..<count]
                    }
                } else if count == 0 || errno != EINTR {
                    close(entry.fd)
                    open.removeAll { $0.descriptor == entry.fd }
                }
            }
        }
        return CommandResult(
            status: child.wait(), stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errors, as: UTF8.self))
    }
}
