import FerryAddress
import FerrySystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Aardvark {
    /// Starts aardvark-dns, or reloads the running one, then waits until it listens on
    /// every address in `addresses`.
    func serve(_ addresses: [IPAddress], wasRunning: Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var output = ""
        if wasRunning, try process.send(SIGHUP) {
            Log.debug("dns", "reloaded aardvark-dns for \(directory)")
        } else {
            output = try start(deadline: deadline)
        }
        try waitUntilListening(Array(Set(addresses)).sorted(), output: output, deadline: deadline)
    }

    /// `<aardvark> --config DIR -p PORT run`, waiting for the starting process to exit (it
    /// stays until its daemon child is up). Returns what it printed.
    private func start(deadline: Date) throws -> String {
        // Its output goes to an unlinked file, so nothing is left behind and a daemon that
        // kept the descriptor could not block a pipe reader.
        let outputPath = directory + "/.start-output.\(getpid())"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            let output = FileHandle(forUpdatingAtPath: outputPath)
        else {
            throw AardvarkError.startFailed(
                reason: "creating \(outputPath) failed", output: "")
        }
        unlink(outputPath)
        defer { try? output.close() }
        func printed() -> String {
            try? output.seek(toOffset: 0)
            let data = (try? output.readToEnd()) ?? Data()
            return String(decoding: data, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        let starter = Process()
        starter.executableURL = URL(fileURLWithPath: binary)
        starter.arguments = ["--config", directory, "-p", String(port), "run"]
        starter.standardInput = FileHandle.nullDevice
        starter.standardOutput = output
        starter.standardError = output
        Log.debug("dns", "starting \(binary) \(starter.arguments!.joined(separator: " "))")
        do {
            try starter.run()
        } catch {
            throw AardvarkError.startFailed(reason: "running \(binary): \(error)", output: "")
        }

        while starter.isRunning {
            if Date() >= deadline {
                starter.terminate()
                starter.waitUntilExit()
                process.stop(deadline: Date().addingTimeInterval(1))
                throw AardvarkError.startFailed(
                    reason: "\(binary) did not finish starting within \(Int(timeout))s",
                    output: printed())
            }
            usleep(5_000)
        }
        guard starter.terminationReason == .exit, starter.terminationStatus == 0 else {
            let how =
                starter.terminationReason == .exit
                ? "exited with status \(starter.terminationStatus)"
                : "was killed by signal \(starter.terminationStatus)"
            throw AardvarkError.startFailed(reason: "\(binary) \(how)", output: printed())
        }
        return printed()
    }

    /// Polls /proc until the daemon holds a UDP socket on each address, or fails with what
    /// aardvark-dns printed.
    private func waitUntilListening(_ addresses: [IPAddress], output: String, deadline: Date)
        throws
    {
        while true {
            guard let pid = process.runningPID() else {
                if Date() >= deadline {
                    throw AardvarkError.startFailed(
                        reason: "no live aardvark-dns in \(process.pidFile)", output: output)
                }
                usleep(5_000)
                continue
            }
            let missing = addresses.filter {
                !ListeningSockets.holds(pid: pid, address: $0, port: port)
            }
            if missing.isEmpty { return }
            if Date() >= deadline {
                throw AardvarkError.notListening(
                    addresses: missing.map { endpoint($0) }, output: output)
            }
            usleep(5_000)
        }
    }

    func endpoint(_ address: IPAddress) -> String {
        address.family == .ipv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}
