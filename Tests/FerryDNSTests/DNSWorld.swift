import FerrySystem
import FerryTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The fake host of the DNS tests: its namespace, a config directory, the built ferry,
/// and everything it started, which `cleanUp` stops even when a test fails halfway.
final class DNSWorld {
    static let aardvark = "/usr/lib/podman/aardvark-dns"

    struct Container {
        let namespace: TestNamespace
        let spec: String
    }

    let host: TestNamespace
    let config: String
    let ferryPath: String
    let aardvarkBinary: String
    private var containers: [TestNamespace] = []

    init(aardvark: String = DNSWorld.aardvark) throws {
        ferryPath = try #require(TestPaths.product("ferry"), "ferry is not built").path
        host = try TestNamespace("dnshost")
        config =
            FileManager.default.temporaryDirectory
            .appending(path: "fy-dns-\(host.name)").path
        aardvarkBinary = aardvark
    }

    /// A container namespace and its spec on the network "dnsnet" (10.77.0.0/24, and
    /// fd77::/64 when `ipv6` is given; bridge fydns0) with upstream 127.0.0.2, the fake
    /// host's own loopback.
    func container(_ name: String, address: String, ipv6: String? = nil, alias: String)
        throws -> Container
    {
        let namespace = try TestNamespace("dns" + name)
        containers.append(namespace)
        let addresses = [address] + (ipv6.map { [$0] } ?? [])
        let v6Subnet = ipv6 == nil ? "" : #",{"subnet":"fd77::/64","gateway":"fd77::1"}"#
        let spec = """
            {"container_id":"\(name)-0123456789","container_name":"\(name)",\
            "networks":{"dnsnet":{"static_ips":\(addresses),"aliases":["\(alias)"],\
            "interface_name":"eth0"}},"network_info":{"dnsnet":{"name":"dnsnet","id":"d1",\
            "driver":"bridge","network_interface":"fydns0","subnets":[{"subnet":\
            "10.77.0.0/24","gateway":"10.77.0.1"}\(v6Subnet)],"ipv6_enabled":\(ipv6 != nil),\
            "internal":false,"dns_enabled":true,"network_dns_servers":["127.0.0.2"],\
            "ipam_options":{"driver":"host-local"}}}}
            """
        return Container(namespace: namespace, spec: spec)
    }

    /// Runs ferry in the fake host with DNS on port 53 (free there: it is its own
    /// namespace), the spec on stdin.
    func ferry(_ arguments: [String], spec: String?) throws -> CommandResult {
        try host.exec(
            [
                "env", "NETAVARK_DNS_PORT=53", ferryPath, "--config", config,
                "--aardvark-binary", aardvarkBinary,
            ] + arguments, input: spec ?? "")
    }

    /// `nslookup -type=TYPE NAME SERVER` inside a container.
    func lookup(
        from container: Container, _ name: String, type: String = "a",
        server: String = "10.77.0.1"
    ) throws -> String {
        let result = try container.namespace.exec(
            ["timeout", "10", "busybox", "nslookup", "-type=\(type)", name, server])
        return result.stdout
    }

    func networkFile() throws -> String {
        try String(contentsOfFile: config + "/aardvark-dns/dnsnet", encoding: .utf8)
    }

    /// The live aardvark-dns of this config directory, by its pid file.
    func aardvarkPID() -> Int32? {
        let directory = config + "/aardvark-dns"
        guard let text = try? String(contentsOfFile: directory + "/aardvark.pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            isAlive(pid),
            let cmdline = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
            cmdline.split(separator: "\0").contains(where: { $0 == directory })
        else { return nil }
        return pid
    }

    /// A test upstream in the fake host: answers outside.test with `answer`.
    func upstream(listen: String, answer: String) throws -> Upstream {
        let log = config + "-upstream-\(listen)"
        let output = try FileDescriptor.open(log, O_RDWR | O_CREAT | O_TRUNC, mode: 0o600)
        defer { output.close() }
        let child = try SpawnedProcess.spawn(
            "/usr/bin/env",
            [
                "ip", "netns", "exec", host.name, "python3", Fixture.path("upstream-dns.py"),
                listen, answer,
            ], output: output)
        let upstream = Upstream(child: child, log: log)
        let deadline = Date().addingTimeInterval(10)
        while (try? String(contentsOfFile: log, encoding: .utf8))?.contains("ready") != true {
            if Date() > deadline || (try? child.poll()) != nil {
                upstream.stop()
                throw MessageError("the test upstream on \(listen) did not start")
            }
            usleep(20_000)
        }
        return upstream
    }

    /// Stops the aardvark-dns this world started, then removes namespaces and files.
    func cleanUp() {
        if let pid = aardvarkPID() {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(3)
            while isAlive(pid) && Date() < deadline { usleep(20_000) }
            if isAlive(pid) { kill(pid, SIGKILL) }
        }
        for container in containers { container.remove() }
        host.remove()
        try? FileManager.default.removeItem(atPath: config)
    }
}

/// A responder started by a test; `stop` kills and reaps it.
struct Upstream {
    let child: SpawnedProcess
    let log: String

    func stop() {
        if (try? child.poll()) == nil {
            child.signal(SIGKILL)
            child.wait()
        }
        try? FileManager.default.removeItem(atPath: log)
    }
}
