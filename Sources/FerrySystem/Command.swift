import Foundation

/// Runs a program to completion and captures what it printed. For tools around Ferry's
/// work (tests, benchmarks, helpers such as slirp4netns), never for the packet path.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var succeeded: Bool { status == 0 }
}

public enum Command {
    /// Runs `arguments[0]` (looked up in PATH when it has no slash) with the rest as argv.
    public static func run(
        _ arguments: [String], input: String? = nil, environment: [String: String]? = nil
    ) throws -> CommandResult {
        precondition(!arguments.isEmpty, "a command needs a program")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        let errors = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inputPipe.fileHandleForWriting.close()

        // Drain both pipes concurrently so neither can fill up and block the child.
        let collected = CollectedOutput()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            collected.setStderr(errors.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let stdoutData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: collected.stderr, as: UTF8.self))
    }
}

private final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func setStderr(_ value: Data) {
        lock.lock()
        data = value
        lock.unlock()
    }

    var stderr: Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}
