import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// `ferry pasta` run as the unprivileged test user inside the fake host, against a rootless
/// container: the tap it makes, the configuration copied from the host, backgrounding, the
/// pid file, and quitting when the container goes.
extension EngineEnvironmentSuite {
    @Suite struct PastaAttachTests {
        typealias Env = EngineTestEnvironment

        static func ferry() throws -> String {
            try #require(TestPaths.product("ferry"), "ferry is not built: run swift build").path
        }

        /// Runs `ferry pasta ARGS` as the test user in the host; returns the result.
        /// Runs `ferry pasta` as the test user, with `variables` (`NAME=VALUE`) added to its
        /// environment.
        static func pasta(_ environment: Env, _ arguments: [String], variables: [String] = [])
            throws -> UserCommandResult
        {
            let prefix = variables.isEmpty ? [] : ["env"] + variables
            return try environment.runAsUserInHost(
                prefix + [try ferry(), "pasta", "--resolv-conf", environment.resolvConf]
                    + arguments)
        }

        /// The pid in a pid file, once the engine is known to be alive.
        static func livePid(_ path: String) throws -> pid_t {
            let text = try FileSystem.readString(path)
            let pid = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(isAlive(pid))
            return pid
        }

        static func isAlive(_ pid: pid_t) -> Bool {
            guard let stat = try? FileSystem.readString("/proc/\(pid)/stat") else { return false }
            // A zombie has exited: its parent (init here) just has not reaped it yet.
            let state = stat.split(separator: ")").last?.split(separator: " ").first
            return state != "Z"
        }

        /// Waits up to five seconds for a process to be gone.
        static func waitUntilGone(_ pid: pid_t) -> Bool {
            for _ in 0..<100 {
                if !isAlive(pid) { return true }
                usleep(50_000)
            }
            return false
        }

        /// The tap's entry in `ip -j addr`.
        static func link(_ container: RootlessContainer, _ name: String) throws -> [String: Any] {
            let links = try container.ipJSON("addr")
            return try #require(links.first { $0["ifname"] as? String == name }, "\(links)")
        }

        static func addresses(_ link: [String: Any]) -> Set<String> {
            let info = link["addr_info"] as? [[String: Any]] ?? []
            return Set(
                info.compactMap { entry in
                    guard let local = entry["local"] as? String,
                        let prefix = entry["prefixlen"] as? Int
                    else { return nil }
                    return "\(local)/\(prefix)"
                })
        }

        /// `ip -j [-6] route` in the container, as "DST via GW" strings.
        static func routes(_ container: RootlessContainer, ipv6: Bool = false) throws -> [String] {
            let result = try container.exec(
                ["ip", "-j"] + (ipv6 ? ["-6"] : []) + ["route", "show"])
            let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            return (parsed as? [[String: Any]] ?? []).map { route in
                let destination = route["dst"] as? String ?? "?"
                return route["gateway"].map { "\(destination) via \($0)" } ?? destination
            }
        }

        @Test func configNetByPathCopiesTheHostAndQuitsWithTheNamespace() throws {
            let environment = try Env()
            defer { environment.remove() }
            let container = try environment.startContainer()
            // A second route on the uplink is copied; one via an unreachable gateway is not.
            try environment.host.run(["ip", "route", "add", "203.0.113.0/24", "via", "192.0.2.254"])
            try environment.host.run([
                "ip", "route", "add", "198.18.0.0/15", "via", "10.9.9.9", "dev", "eth0", "onlink",
            ])
            let pidFile = environment.runDirectory + "/pasta.pid"

            let result = try Self.pasta(
                environment,
                [
                    "--config-net", "--netns", container.netnsPath, "--userns",
                    container.usernsPath,
                    "-P", pidFile,
                ])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("leaving out route 198.18.0.0/15 via 10.9.9.9"))
            let pid = try Self.livePid(pidFile)

            let tap = try Self.link(container, Env.uplink)
            #expect(tap["mtu"] as? Int == 65520)
            #expect(
                Self.addresses(tap).isSuperset(of: ["\(Env.hostIPv4)/24", "\(Env.hostIPv6)/64"]))
            let loopback = try Self.link(container, "lo")
            #expect((loopback["flags"] as? [String] ?? []).contains("UP"))
            let routes = try Self.routes(container)
            #expect(routes.contains("default via \(Env.gatewayIPv4)"))
            #expect(routes.contains("203.0.113.0/24 via 192.0.2.254"))
            #expect(!routes.contains { $0.hasPrefix("198.18.0.0/15") })
            #expect(
                try Self.routes(container, ipv6: true).contains("default via \(Env.gatewayIPv6)"))

            // The engine runs as the test user, and goes when the container does.
            let owner = try FileSystem.readString("/proc/\(pid)/status")
            #expect(owner.contains("Uid:\t\(environment.user.uid)\t"))
            container.stop()
            #expect(Self.waitUntilGone(pid))
        }

        @Test func attachByPidQuitsWhenTheProcessExits() throws {
            let environment = try Env()
            defer { environment.remove() }
            let container = try environment.startContainer()
            let pidFile = environment.runDirectory + "/pasta.pid"

            let result = try Self.pasta(
                environment, ["--config-net", "--quiet", "-P", pidFile, "\(container.pid)"])
            #expect(result.status == 0, "\(result.stderr)")
            let pid = try Self.livePid(pidFile)
            #expect(
                Self.addresses(try Self.link(container, Env.uplink)).contains("\(Env.hostIPv4)/24"))

            container.stop()
            #expect(Self.waitUntilGone(pid))
        }

        @Test func foregroundStaysUntilTheNamespaceGoes() throws {
            let environment = try Env()
            defer { environment.remove() }
            let container = try environment.startContainer()
            let process = Process()
            process.executableURL = URL(filePath: "/usr/bin/env")
            process.arguments = environment.asUserInHost([
                try Self.ferry(), "pasta", "-f", "--config-net", "--netns", container.netnsPath,
            ])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

            // Configured, and still running in the foreground.
            var configured = false
            // Polled without #require, which would record every early miss as a failure.
            for _ in 0..<200 where !configured {
                usleep(50_000)
                let links = (try? container.ipJSON("addr")) ?? []
                configured = links.contains { $0["ifname"] as? String == Env.uplink }
            }
            #expect(configured)
            #expect(process.isRunning)

            container.stop()
            for _ in 0..<100 where process.isRunning { usleep(50_000) }
            #expect(!process.isRunning)
            #expect(process.terminationStatus == 0)
        }

        @Test func givenAddressesNameMtuAndMac() throws {
            let environment = try Env()
            defer { environment.remove() }
            let container = try environment.startContainer()

            let result = try Self.pasta(
                environment,
                [
                    "--config-net", "-4", "-a", "10.0.2.15", "-n", "255.255.255.0", "-g",
                    "10.0.2.2",
                    "-I", "ferry0", "-m", "1400", "--ns-mac-addr", "02:00:00:00:00:42",
                    "--netns", container.netnsPath,
                ])
            #expect(result.status == 0, "\(result.stderr)")
            let tap = try Self.link(container, "ferry0")
            #expect(tap["mtu"] as? Int == 1400)
            #expect(tap["address"] as? String == "02:00:00:00:00:42")
            #expect(Self.addresses(tap).filter { !$0.hasPrefix("fe80:") } == ["10.0.2.15/24"])
            #expect(try Self.routes(container).contains("default via 10.0.2.2"))
            #expect(!(try Self.routes(container, ipv6: true)).contains { $0.hasPrefix("default") })
            container.stop()
        }

        @Test func noDefaultRouteFallsBackToLinkLocal() throws {
            let environment = try Env()
            defer { environment.remove() }
            try environment.host.run(["ip", "route", "del", "default"])
            try environment.host.run(["ip", "-6", "route", "del", "default"])
            let container = try environment.startContainer()

            let result = try Self.pasta(
                environment, ["--config-net", "--netns", container.netnsPath])
            #expect(result.status == 0, "\(result.stderr)")
            let tap = try Self.link(container, "tap0")
            #expect(Self.addresses(tap).contains("169.254.2.1/24"))
            #expect(try Self.routes(container).contains("default via 169.254.2.2"))
            container.stop()
        }

        @Test func missingNamespaceFailsInTheForegroundProcess() throws {
            let environment = try Env()
            defer { environment.remove() }
            let result = try Self.pasta(
                environment, ["--config-net", "--netns", "/nonexistent/ns"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("/nonexistent/ns"))
        }
    }
}
