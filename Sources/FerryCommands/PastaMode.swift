import FerryAddress
import FerryFirewall
import FerrySystem
import FerryWire

#if canImport(Glibc)
    import Glibc
#endif

/// Ferry's engine as a network mode: `ferry setup` starts `ferry pasta` for the container's
/// namespace with Podman 5's command line plus containers.conf's `pasta_options`, waits
/// until it is ready, and answers from the same plan the engine configured. The engine
/// outlives setup; its pid file under `--config` lets a teardown from any process stop it,
/// and it stops by itself when the namespace goes.
struct PastaMode {
    /// The address the container sends DNS to, forwarded to the host's resolver, and the
    /// one that reaches the host's own address, as Podman 5 sets them.
    static let dnsForward = IPAddress("169.254.1.1")!
    static let guestAddressMap = IPAddress("169.254.1.2")!

    let stateDirectory: String
    let pastaOptions: [String]

    func pidFile(containerID: String, network: String) -> String {
        "\(stateDirectory)/engines/\(containerID)-\(network).pid"
    }

    /// The engine's command line, as Podman 5 builds pasta's (see the captures' notes):
    /// pasta_options first, then the defaults the options did not already give.
    func arguments(
        namespacePath: String, pidFile: String, mac: MACAddress, interfaceName: String,
        ports: [PortForward] = []
    ) -> [String] {
        var words = ["--config-net"] + pastaOptions
        // One -t or -u per published port range, in the range form Podman 5 writes.
        for port in ports {
            words += [port.transport == .tcp ? "-t" : "-u", Self.spec(port)]
        }
        // The spec names the container's interface; pasta would copy the host's name.
        if !Self.gives(words, "-I", "--ns-ifname") { words += ["-I", interfaceName] }
        let forwards = [("-t", "--tcp-ports"), ("-u", "--udp-ports"), ("-T", "--tcp-ns")]
        for (short, long) in forwards + [("-U", "--udp-ns")]
        where !Self.gives(words, short, long) {
            words += [short, "none"]
        }
        if !Self.gives(words, nil, "--dns-forward") {
            words += ["--dns-forward", "\(Self.dnsForward)"]
        }
        if let index = words.firstIndex(of: "--map-gw") {
            words.remove(at: index)
        } else {
            words.append("--no-map-gw")
        }
        if !Self.gives(words, nil, "--ns-mac-addr") { words += ["--ns-mac-addr", "\(mac)"] }
        words += ["--quiet", "--netns", namespacePath, "--pid", pidFile]
        words += ["--map-guest-addr", "\(Self.guestAddressMap)"]
        return words
    }

    /// Starts the engine and answers with the interface it configured.
    func setup(
        network: String, containerID: String, interfaceName: String, namespacePath: String,
        ports: [PortForward] = []
    ) throws -> StatusBlock {
        try withContext("setting up network \(network) with Ferry's engine") {
            let pidFile = pidFile(containerID: containerID, network: network)
            try FileSystem.makeDirectories(stateDirectory + "/engines")
            let words = arguments(
                namespacePath: namespacePath, pidFile: pidFile, mac: Self.randomMAC(),
                interfaceName: interfaceName, ports: ports)
            let options = try PastaOptions.parse(words)

            // The same plan the engine works out, from the same options and host.
            let template = try PastaHostTemplate.read(interface: options.templateInterface)
            let plan = PastaNetworkPlan(options: options, template: template)

            do {
                try PastaCommand.startDaemon(words)
            } catch let error as MessageError {
                throw MessageError("the engine did not start: \(error.description)")
            }
            return status(plan, mac: options.namespaceMAC)
        }
    }

    /// Whether `words` give the option already, in any form getopt takes: `-t 80`, `-t80`,
    /// `--tcp-ports 80`, `--tcp-ports=80`. (Podman 5 looks for the bare short and long
    /// words only; an admin's `--tcp-ports=80` would then get a `-t none` beside it.)
    static func gives(_ words: [String], _ short: String?, _ long: String) -> Bool {
        words.contains { word in
            if word == long || word.hasPrefix(long + "=") { return true }
            guard let short, !word.hasPrefix("--") else { return false }
            return word.hasPrefix(short)
        }
    }

    /// Stops the engine through its pid file; an engine already gone is fine.
    func teardown(network: String, containerID: String) -> [any Error] {
        let pidFile = pidFile(containerID: containerID, network: network)
        guard let text = try? FileSystem.readString(pidFile),
            let pid = pid_t(text.trimmingCharacters(in: ["\n", " "]))
        else { return [] }
        defer { try? FileSystem.remove(pidFile) }
        guard Self.isEngine(pid) else { return [] }

        // SIGTERM, then SIGKILL if it has not gone within two seconds. Waiting on its state,
        // not on isEngine: an exiting process's cmdline reads empty before it is a zombie.
        ProcessControl.stop(pid)
        return []
    }

    private func status(_ plan: PastaNetworkPlan, mac: MACAddress?) -> StatusBlock {
        var subnets: [NetAddress] = []
        for family in [plan.ipv4, plan.ipv6].compactMap({ $0 }) {
            subnets.append(NetAddress(ipnet: family.address, gateway: family.gateway))
        }
        let interface = NetInterface(
            macAddress: mac ?? MACAddress("00:00:00:00:00:00")!, subnets: subnets)
        return StatusBlock(
            dnsSearchDomains: [], dnsServerIPs: [Self.dnsForward],
            interfaces: [plan.interfaceName: interface])
    }

    /// Whether `pid` is a live process running Ferry's engine (a reused pid is not).
    static func isEngine(_ pid: pid_t) -> Bool {
        guard ProcessControl.isRunning(pid),
            let commandLine = try? FileSystem.readString("/proc/\(pid)/cmdline")
        else { return false }
        return commandLine.split(separator: "\0").contains {
            $0 == "pasta" || $0 == "__pasta-daemon"
        }
    }

    /// "[ADDR/]H1-H2:C1-C2": a published range in pasta's spelling.
    static func spec(_ port: PortForward) -> String {
        let last = Int(port.count) - 1
        let ranges =
            "\(port.hostPort)-\(Int(port.hostPort) + last)"
            + ":\(port.containerPort)-\(Int(port.containerPort) + last)"
        switch port.host {
        case .any: return ranges
        case .anyOf(.ipv4): return "0.0.0.0/" + ranges
        case .anyOf(.ipv6): return "::/" + ranges
        case .address(let address): return "\(address)/" + ranges
        }
    }

    /// A locally administered unicast MAC, so setup knows the tap's address in advance.
    static func randomMAC() -> MACAddress {
        var bytes = (0..<6).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = (bytes[0] & 0xFC) | 0x02
        return MACAddress(bytes: bytes)!
    }
}
