import FerryAddress
import FerrySystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// aardvark-dns, run the way netavark runs it: one file per DNS-enabled network under
/// `<config>/aardvark-dns/`, one daemon for all of them, started when the first container
/// needs it and told to reload with SIGHUP afterwards.
///
/// Theory of operation. Setup writes the container's line into each network's file, then
/// either starts aardvark-dns (none running) or sends it SIGHUP, and waits until it holds a
/// UDP socket on every gateway of those networks. If that fails, the files are put back as
/// they were and an aardvark-dns started by this call is stopped, so the caller can undo
/// the rest. Teardown removes the container's lines, deletes a file whose last container
/// went, and sends SIGHUP; aardvark-dns exits by itself when it has no network left, and
/// Ferry waits for that (stopping it if it lingers). Callers hold Ferry's lock.
public final class Aardvark {
    /// One network's part of a setup: where aardvark binds, where it forwards, and the
    /// container's line.
    public struct NetworkEntry: Equatable, Sendable {
        public var network: String
        public var bindAddresses: [IPAddress]
        public var upstreamServers: [IPAddress]
        public var entry: AardvarkEntry

        public init(
            network: String, bindAddresses: [IPAddress], upstreamServers: [IPAddress],
            entry: AardvarkEntry
        ) {
            self.network = network
            self.bindAddresses = bindAddresses
            self.upstreamServers = upstreamServers
            self.entry = entry
        }
    }

    /// netavark's default when `--aardvark-binary` is not given.
    public static let defaultBinary = "/usr/libexec/podman/aardvark-dns"

    /// `<config>/aardvark-dns`, aardvark's `--config`.
    public let directory: String
    public let binary: String
    public let port: UInt16
    /// How long setup waits for aardvark-dns to listen, and teardown for it to exit.
    public var timeout: TimeInterval = 5

    let process: AardvarkProcess

    public init(stateDirectory: String, binary: String, port: UInt16) {
        directory = stateDirectory + "/aardvark-dns"
        self.binary = binary
        self.port = port
        process = AardvarkProcess(directory: directory)
    }

    /// The port from NETAVARK_DNS_PORT, else 53.
    public static func port(environment: [String: String]) throws(AardvarkError) -> UInt16 {
        guard let text = environment["NETAVARK_DNS_PORT"], !text.isEmpty else { return 53 }
        guard let port = UInt16(text), port != 0 else { throw .invalidPort(text) }
        return port
    }

    func path(_ network: String) -> String { directory + "/" + network }

    /// The network files present, without aardvark's own pid file.
    public func networkFiles() -> [String] {
        FileSystem.listDirectory(directory).filter { $0 != "aardvark.pid" && !$0.hasPrefix(".") }
    }

    public func readFile(_ network: String) throws -> AardvarkNetworkFile? {
        let path = path(network)
        guard FileSystem.exists(path) else { return nil }
        return try AardvarkNetworkFile(text: try FileSystem.readString(path), path: path)
    }

    /// Writes the file, or deletes it when no container is left in it.
    func writeFile(_ network: String, _ file: AardvarkNetworkFile) throws {
        if file.containerLines.isEmpty {
            try FileSystem.remove(path(network))
        } else {
            try FileSystem.writeAtomically(path(network), file.text)
        }
    }

    /// Adds the container to each network and makes aardvark-dns serve it. On failure
    /// nothing of this call remains: files restored, a daemon it started stopped.
    public func add(_ entries: [NetworkEntry]) throws {
        guard !entries.isEmpty else { return }
        let createdDirectory = !FileSystem.exists(directory)
        try withContext("creating \(directory)") { try FileSystem.makeDirectories(directory) }
        var previous: [(network: String, text: String?)] = []
        let wasRunning = process.runningPID() != nil
        do {
            for item in entries {
                let old = try? FileSystem.readString(path(item.network))
                previous.append((item.network, old))
                var file =
                    try readFile(item.network)
                    ?? AardvarkNetworkFile(
                        bindAddresses: item.bindAddresses, upstreamServers: item.upstreamServers)
                file.add(item.entry)
                try withContext("writing \(path(item.network))") {
                    try writeFile(item.network, file)
                }
            }
            try serve(entries.flatMap(\.bindAddresses), wasRunning: wasRunning)
        } catch {
            restore(previous, wasRunning: wasRunning)
            if createdDirectory { rmdir(directory) }
            throw error
        }
    }

    /// Puts the files back, then stops a daemon this call started or reloads the old one.
    private func restore(_ previous: [(network: String, text: String?)], wasRunning: Bool) {
        for (network, text) in previous.reversed() {
            if let text {
                try? FileSystem.writeAtomically(path(network), text)
            } else {
                try? FileSystem.remove(path(network))
            }
        }
        if !wasRunning {
            process.stop(deadline: Date().addingTimeInterval(timeout))
        } else {
            _ = try? process.send(SIGHUP)
        }
    }

    /// Removes the container from the networks and reloads or stops aardvark-dns; returns
    /// every error met, for a teardown that keeps going.
    public func remove(containerID: String, networks: [String]) -> [any Error] {
        var errors: [any Error] = []
        var modified = false
        for network in networks {
            do {
                guard var file = try readFile(network) else { continue }
                if file.remove(containerID: containerID) {
                    modified = true
                    try writeFile(network, file)
                }
            } catch {
                errors.append(ContextError("removing \(containerID) from \(path(network))", error))
            }
        }
        guard modified else { return errors }
        do {
            try reloadOrStop()
        } catch {
            errors.append(error)
        }
        return errors
    }

    /// SIGHUP; with no network left aardvark-dns exits by itself, and Ferry waits for it.
    func reloadOrStop() throws {
        let idle = networkFiles().isEmpty
        guard try process.send(SIGHUP) else {
            if !idle { Log.warning("dns", "aardvark-dns is not running for \(directory)") }
            if idle { try? FileSystem.remove(process.pidFile) }
            return
        }
        guard idle else { return }
        if !process.waitForExit(deadline: Date().addingTimeInterval(timeout)) {
            Log.warning("dns", "aardvark-dns did not exit after its last network; stopping it")
        }
        process.stop(deadline: Date().addingTimeInterval(timeout))
        rmdir(directory)
    }

    /// `ferry update`: replaces the network's upstream servers and reloads aardvark-dns.
    public func updateUpstreamServers(network: String, servers: [IPAddress]) throws {
        guard var file = try readFile(network) else { throw AardvarkError.unknownNetwork(network) }
        file.upstreamServers = servers
        try withContext("writing \(path(network))") {
            try FileSystem.writeAtomically(path(network), file.text)
        }
        guard try process.send(SIGHUP) else {
            throw AardvarkError.notRunning(configDirectory: directory)
        }
    }
}
