import FerryAddress
import FerrySystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Aardvark {
    /// Starts aardvark-dns, or reloads the running one, then waits until it listens on
    /// every address in `addresses`.
    ///
    /// aardvark-dns 1.4 answers SIGHUP by closing its sockets and binding anew once it has
    /// read the files again, so after a reload Ferry waits for sockets it did not see
    /// before; stale ones at the deadline only earn a warning.
    func serve(_ addresses: [IPAddress], wasRunning: Bool) throws {
        let addresses = Array(Set(addresses)).sorted()
        let deadline = Date().addingTimeInterval(timeout)
        var output = ""
        var stale: Set<UInt64> = []
        if wasRunning, let pid = process.runningPID() {
            for address in addresses {
                stale.formUnion(ListeningSockets.held(pid: pid, address: address, port: port))
            }
        }
        if wasRunning, try process.send(SIGHUP) {
            Log.debug("dns", "reloaded aardvark-dns for \(directory)")
        } else {
            stale = []
            output = try start(deadline: deadline)
        }
        try waitUntilListening(addresses, stale: stale, output: output, deadline: deadline)
    }

    /// `<aardvark> --config DIR -p PORT run`, waiting for the starting process to exit (it
    /// stays until its daemon child is up). Returns what it printed.
    private func start(deadline: Date) throws -> String {
        // Its output goes to an unlinked file, so nothing is left behind and a daemon that
        // kept the descriptor could not block a pipe reader.
        let outputPath = directory + "/.start-output.\(getpid())"
        let output = try withContext("starting aardvark-dns") {
            try FileDescriptor.open(outputPath, O_RDWR | O_CREAT | O_TRUNC, mode: 0o600)
        }
        unlink(outputPath)
        defer { output.close() }
        func printed() -> String {
            lseek(output.rawValue, 0, SEEK_SET)
            return String(decoding: (try? output.readAll()) ?? [], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }

        let arguments = ["--config", directory, "-p", String(port), "run"]
        Log.debug("dns", "starting \(binary) \(arguments.joined(separator: " "))")
        let starter: SpawnedProcess
        do {
            starter = try SpawnedProcess.spawn(binary, arguments, output: output)
        } catch {
            throw AardvarkError.startFailed(reason: "\(error)", output: "")
        }

        var ending: SpawnedProcess.Ending?
        while ending == nil {
            ending = try starter.poll()
            if ending != nil { break }
            if Date() >= deadline {
                starter.signal(SIGKILL)
                starter.wait()
                process.stop(deadline: Date().addingTimeInterval(1))
                throw AardvarkError.startFailed(
                    reason: "\(binary) did not finish starting within \(Int(timeout))s",
                    output: printed())
            }
            usleep(5_000)
        }
        switch ending {
        case .exited(0)?, nil:
            return printed()
        case .exited(let status)?:
            throw AardvarkError.startFailed(
                reason: "\(binary) exited with status \(status)", output: printed())
        case .signalled(let signal)?:
            throw AardvarkError.startFailed(
                reason: "\(binary) was killed by signal \(signal)", output: printed())
        }
    }

    /// Polls /proc until the daemon holds a fresh UDP socket on each address, or fails with
    /// what aardvark-dns printed.
    private func waitUntilListening(
        _ addresses: [IPAddress], stale: Set<UInt64>, output: String, deadline: Date
    ) throws {
        while true {
            guard let pid = process.runningPID() else {
                if Date() >= deadline {
                    throw AardvarkError.startFailed(
                        reason: "no live aardvark-dns in \(process.pidFile)", output: output)
                }
                usleep(5_000)
                continue
            }
            let held = addresses.map {
                ListeningSockets.held(pid: pid, address: $0, port: port)
            }
            if held.allSatisfy({ !$0.isEmpty && !$0.isSubset(of: stale) }) { return }
            if Date() >= deadline {
                let missing = zip(addresses, held).filter { $0.1.isEmpty }.map { endpoint($0.0) }
                guard missing.isEmpty else {
                    throw AardvarkError.notListening(addresses: missing, output: output)
                }
                Log.warning("dns", "aardvark-dns kept its old sockets after SIGHUP")
                return
            }
            usleep(5_000)
        }
    }

    func endpoint(_ address: IPAddress) -> String {
        address.family == .ipv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}
