import CFerryShim
import FerryAddress
import FerryFirewall
import FerryPolicy
import FerrySystem
import FerryWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// slirp4netns as a network mode, as Podman 4 runs it: `ferry setup` probes the binary's
/// features from `--help`, starts it for the container's namespace (inside the user
/// namespace that owns it, for the sandbox), waits on its ready pipe, publishes ports
/// through its API socket, and answers with what slirp4netns configured. slirp4netns
/// outlives setup; its pid file, log and API socket under `<config>/engines/` let a
/// teardown from any process remove the forwards, stop it and leave nothing behind.
struct Slirp4netnsMode {
    /// How long setup waits for the ready pipe, and then for an IPv6 address.
    static let readySeconds = 10.0
    static let ipv6WaitMilliseconds = 5000

    let stateDirectory: String
    let config: ContainersConf
    let environment: [String: String]

    /// The files of one container's network.
    struct Files {
        var pid: String
        var log: String
        var apiSocket: String
        var all: [String] { [pid, log, apiSocket] }
    }

    func files(containerID: String, network: String) -> Files {
        let base = "\(stateDirectory)/engines/\(containerID)-\(network).slirp4netns"
        var socket = base + ".sock"
        // A socket path must fit in sun_path; a long --config and a 64-digit id may not.
        if socket.utf8.count >= Slirp4netnsAPI.maximumPathBytes {
            socket = "\(stateDirectory)/engines/s-\(Self.hash(containerID + "/" + network)).sock"
        }
        return Files(pid: base + ".pid", log: base + ".log", apiSocket: socket)
    }

    /// Starts slirp4netns and answers with the interface it configured.
    func setup(
        network: String, containerID: String, interfaceName: String,
        networkOptions: [String: String], ports: [PortForward], namespacePath: String
    ) throws -> StatusBlock {
        try withContext("setting up network \(network) with slirp4netns") {
            // 1. The binary, what it offers, and the command line.
            let binary = try Slirp4netnsPreflight.locate(config: config, environment: environment)
                .get()
            let help = try Command.run([binary, "--help"])
            guard help.succeeded else {
                throw MessageError(
                    "\(binary) --help exited with status \(help.status): \(trimmed(help.stderr))")
            }
            let features = Slirp4netnsFeatures(help: help.stdout + help.stderr)
            let options = try Slirp4netnsOptions.parse(
                configured: config.networkCmdOptions, network: networkOptions)
            if !ports.isEmpty && options.portHandler == "rootlessport" {
                Log.debug("slirp4netns", "no rootlessport here: ports go through the API socket")
            }
            let tap = interfaceName.isEmpty ? "tap0" : interfaceName
            let files = files(containerID: containerID, network: network)
            if !ports.isEmpty && files.apiSocket.utf8.count >= Slirp4netnsAPI.maximumPathBytes {
                throw MessageError(
                    "API socket path \(files.apiSocket) is too long: shorten --config")
            }
            let arguments = try options.arguments(
                features: features, readyDescriptor: Slirp4netnsSpawn.readyDescriptor,
                apiSocket: ports.isEmpty ? nil : files.apiSocket, namespacePath: namespacePath,
                interfaceName: tap)

            // 2. Start it, and wait for its ready pipe.
            try FileSystem.makeDirectories(stateDirectory + "/engines")
            for path in files.all { try? FileSystem.remove(path) }
            let netns = try FileDescriptor.open(namespacePath, O_RDONLY)
            let userns = try PastaSession.usernsToJoin(explicit: nil, netns: netns)
            try start(binary: binary, arguments: arguments, userns: userns, files: files)

            // 3. From here on, a failure stops it again.
            do {
                let api = Slirp4netnsAPI(socketPath: files.apiSocket)
                try publish(ports, through: api, guest: options.containerAddress)
                let inspection = try inspect(
                    tap: tap, netns: netns, userns: userns,
                    waitMilliseconds: options.enableIPv6 ? Self.ipv6WaitMilliseconds : 0)
                if options.enableIPv6 && inspection.ipv6.isEmpty {
                    Log.warning(
                        "slirp4netns",
                        "network \(network): no IPv6 address on \(tap) within"
                            + " \(Self.ipv6WaitMilliseconds) ms; answering with IPv4 only")
                }
                return try status(options, inspection: inspection, tap: tap)
            } catch {
                for problem in teardown(network: network, containerID: containerID) {
                    Log.warning("slirp4netns", "undoing: \(problem)")
                }
                throw error
            }
        }
    }

    /// Spawns slirp4netns and waits until it is ready; on failure nothing stays running
    /// and the error carries what slirp4netns said.
    private func start(
        binary: String, arguments: [String], userns: FileDescriptor?, files: Files
    ) throws {
        var ends: [Int32] = [0, 0]
        guard ferry_pipe_cloexec(&ends) == 0 else {
            throw SystemError.lastError("creating slirp4netns's ready pipe")
        }
        let readyRead = FileDescriptor(taking: ends[0])
        let readyWrite = FileDescriptor(taking: ends[1])
        let log = try FileDescriptor.open(files.log, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        Log.debug("slirp4netns", "starting \(binary) \(arguments.joined(separator: " "))")
        let process = try Slirp4netnsSpawn.start(
            binary: binary, arguments: arguments, userns: userns, ready: readyWrite, log: log)
        readyWrite.close()
        log.close()
        try FileSystem.writeAtomically(files.pid, "\(process.pid)\n")

        let readiness = Slirp4netnsSpawn.waitUntilReady(
            process, ready: readyRead, seconds: Self.readySeconds)
        guard readiness != .ready else { return }
        if readiness == .timedOut {
            process.signal(SIGKILL)
            process.wait()
        }
        let said = trimmed((try? FileSystem.readString(files.log)) ?? "")
        for path in files.all { try? FileSystem.remove(path) }
        let how: String
        switch readiness {
        case .exited(.exited(let status)): how = "exited with status \(status) before it was ready"
        case .exited(.signalled(let signal)):
            how = "was killed by signal \(signal) before it was ready"
        default: how = "was not ready within \(Int(Self.readySeconds)) s"
        }
        throw MessageError("\(binary) \(how)" + (said.isEmpty ? "" : ": \(said)"))
    }

    /// add_hostfwd for each port of each range, to the container's address.
    private func publish(_ ports: [PortForward], through api: Slirp4netnsAPI, guest: IPAddress)
        throws
    {
        for forward in ports {
            let hostAddress: String
            switch forward.host {
            case .any, .anyOf(.ipv4): hostAddress = "0.0.0.0"
            case .address(let address) where address.family == .ipv4:
                hostAddress = "\(address)"
            default:
                throw MessageError(
                    "publishing \(forward.transport.rawValue) port \(forward.hostPort) on"
                        + " \(forward.host): slirp4netns forwards IPv4 host addresses only")
            }
            for offset in 0..<forward.count {
                _ = try api.addHostForward(
                    proto: forward.transport.rawValue, hostAddress: hostAddress,
                    hostPort: Int(forward.hostPort + offset), guestAddress: "\(guest)",
                    guestPort: Int(forward.containerPort + offset))
            }
        }
    }

    /// Runs `ferry __slirp4netns-inspect` in the container's namespaces for the tap's MAC
    /// and IPv6 addresses.
    private func inspect(
        tap: String, netns: FileDescriptor, userns: FileDescriptor?, waitMilliseconds: Int
    ) throws -> Slirp4netnsHelpers.Inspection {
        var ends: [Int32] = [0, 0]
        guard ferry_pipe_cloexec(&ends) == 0 else {
            throw SystemError.lastError("creating the inspect pipe")
        }
        let answerRead = FileDescriptor(taking: ends[0])
        let answerWrite = FileDescriptor(taking: ends[1])
        var descriptors = [answerWrite.rawValue, netns.rawValue]
        var enter = "-1,4"
        if let userns {
            descriptors = [answerWrite.rawValue, userns.rawValue, netns.rawValue]
            enter = "4,5"
        }
        let pid = try PastaSpawn.spawn(
            [Slirp4netnsHelpers.inspectCommand, tap, "\(waitMilliseconds)"],
            descriptors: descriptors, environment: ["FERRY_ENTER_NAMESPACES=\(enter)"])
        answerWrite.close()
        let reply = String(decoding: try answerRead.readAll(), as: UTF8.self)
        let status = PastaSpawn.wait(pid)
        if reply.hasPrefix("error: ") {
            throw MessageError("reading \(tap) in the namespace: \(reply.dropFirst(7))")
        }
        guard
            let inspection = try? JSONDecoder().decode(
                Slirp4netnsHelpers.Inspection.self, from: Data(reply.utf8))
        else {
            throw MessageError(
                "reading \(tap) in the namespace: the helper exited with"
                    + " status \(status) and no answer")
        }
        return inspection
    }

    private func status(
        _ options: Slirp4netnsOptions, inspection: Slirp4netnsHelpers.Inspection, tap: String
    ) throws -> StatusBlock {
        guard let mac = MACAddress(inspection.mac) else {
            throw MessageError("\(tap) has an unreadable MAC \(inspection.mac)")
        }
        var subnets = [
            NetAddress(
                ipnet: IPNetwork(
                    address: options.containerAddress,
                    prefixLength: options.network.prefixLength)!,
                gateway: options.gateway)
        ]
        for text in inspection.ipv6 {
            guard let address = IPNetwork(text) else { continue }
            // slirp4netns's router sits at prefix::2, as its IPv4 gateway at base+2.
            subnets.append(NetAddress(ipnet: address, gateway: address.network.adding(2)))
        }
        return StatusBlock(
            dnsSearchDomains: [], dnsServerIPs: [options.dnsServer],
            interfaces: [tap: NetInterface(macAddress: mac, subnets: subnets)])
    }

    /// What slirp4netns said, without its usage text and experimental-feature warnings,
    /// which it prints around the line that matters.
    private func trimmed(_ text: String) -> String {
        let noise = ["-", "Usage:", "User-mode networking", "WARNING: Support for"]
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let said = lines.filter { line in
            !line.isEmpty && !noise.contains { line.hasPrefix($0) }
        }
        return said.suffix(5).joined(separator: "; ")
    }

    /// FNV-1a, for a short socket name that teardown can work out again.
    static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(value, radix: 16)
    }
}
