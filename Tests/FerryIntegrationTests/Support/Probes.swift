import Foundation

/// One connection attempt of the connection tester (`echo.py probe`): a message through to
/// `address`:`port` and an echo back.
struct Probe: Sendable {
    var id: String
    var transport: String
    var address: String
    var port: Int

    var line: String { "\(id) \(transport) \(address) \(port)" }
}

/// What the server behind a probe saw: the source address and the port it was reached on.
struct ProbeAnswer: Sendable, Equatable, CustomStringConvertible {
    var peer: String
    var port: Int

    var description: String { "\(peer) port \(port)" }
}

extension Lab {
    /// Starts echo servers for tcp and udp on `ports` (both families) in `namespace` and
    /// waits until they listen. Stop them with `terminate()` and `wait()`.
    func listen(in namespace: String, ports: [Int]) throws -> Child {
        let server = try Child(
            [
                "ip", "netns", "exec", namespace, Traffic.python, TestEnvironment.echoScript,
                "listen",
            ]
                + ports.map(String.init), timeout: 120)
        guard server.waitForStderr(containing: "ready") else {
            server.terminate()
            throw LabError("echo server in \(namespace) did not start: \(server.wait().stderr)")
        }
        return server
    }

    /// Runs `probes` at once from `namespace`; each answer is nil when the probe was
    /// refused (no echo within `timeout` seconds).
    func probe(from namespace: String, _ probes: [Probe], timeout: Double = 1) throws
        -> [String: ProbeAnswer?]
    {
        try start(probe: probes, from: namespace, timeout: timeout).answers()
    }

    /// Starts `probes` from `namespace` in the background, so several namespaces can probe
    /// at the same time.
    func start(probe probes: [Probe], from namespace: String, timeout: Double = 1) throws
        -> PendingProbes
    {
        let child = try Child(
            [
                "ip", "netns", "exec", namespace, Traffic.python, TestEnvironment.echoScript,
                "probe", "\(timeout)",
            ], input: probes.map(\.line).joined(separator: "\n") + "\n", timeout: 30)
        return PendingProbes(child: child, probes: probes, namespace: namespace)
    }

    /// `ferry firewall-reload` in the fake host, expected to succeed.
    func firewallReload() throws {
        try Self.check(pluginArguments(["--config", configDirectory, "firewall-reload"]))
    }

    /// `nft -j list ruleset` in the fake host.
    func ruleset() throws -> String {
        try Self.check(["ip", "netns", "exec", host, "nft", "-j", "list", "ruleset"])
    }

    /// The names of the nft tables in the fake host.
    func tables() throws -> [String] {
        let text = try Self.check(["ip", "netns", "exec", host, "nft", "list", "tables"])
        return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// Probes running in the background.
struct PendingProbes {
    let child: Child
    let probes: [Probe]
    let namespace: String

    /// Waits for the probes; probe id → what the server saw, or nil when refused.
    func answers() throws -> [String: ProbeAnswer?] {
        let result = child.wait()
        guard result.succeeded else {
            throw LabError("probes from \(namespace) exited \(result.status): \(result.stderr)")
        }
        var answers: [String: ProbeAnswer?] = [:]
        for line in result.stdout.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            guard words.count >= 2 else { continue }
            if words[1] == "ok", words.count == 4, let port = Int(words[3]) {
                answers[words[0]] = .some(ProbeAnswer(peer: words[2], port: port))
            } else {
                answers[words[0]] = .some(nil)
            }
        }
        for probe in probes where answers[probe.id] == nil {
            throw LabError("no result for probe \(probe.line): \(result.stdout)")
        }
        return answers
    }
}
