import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// `ferry setup` and `ferry teardown` in slirp4netns mode, run as the unprivileged test user
/// inside the fake host against a rootless container, with the real slirp4netns: traffic
/// out to servers in the fake host, a published port in from the host's loopback, the
/// StatusBlock against what the container really has, teardown from another process, and
/// the errors of a missing binary and of a slirp4netns that exits at start.
extension EngineEnvironmentSuite {
    @Suite struct Slirp4netnsModeTests {
        typealias Env = EngineTestEnvironment
        static let containerID = String(repeating: "5e", count: 32)

        /// One container's run of ferry: its files, and the calls.
        struct World {
            let environment: Env
            let container: RootlessContainer
            let configDirectory: String
            let containersConf: String

            init(_ environment: Env, containersConf: String = "") throws {
                self.environment = environment
                container = try environment.startContainer()
                configDirectory = environment.runDirectory + "/config"
                self.containersConf = environment.directory + "/containers.conf"
                try FileSystem.writeAtomically(self.containersConf, containersConf)
                chmod(self.containersConf, 0o644)
            }

            /// `ferry --rootless true --config DIR -f SPEC COMMAND NETNS` as the test user.
            func ferry(_ command: String, spec: String) throws -> UserCommandResult {
                let specFile = environment.directory + "/spec-\(UUID().uuidString).json"
                try FileSystem.writeAtomically(specFile, spec)
                chmod(specFile, 0o644)
                let ferry = try #require(TestPaths.product("ferry"), "run swift build").path
                return try environment.runAsUserInHost([
                    "/usr/bin/env", "CONTAINERS_CONF=\(containersConf)", "PATH=/usr/bin:/bin",
                    ferry, "--rootless", "true", "--config", configDirectory, "-f", specFile,
                    command, container.netnsPath,
                ])
            }

            var engineFiles: [String] {
                FileSystem.listDirectory(configDirectory + "/engines")
            }

            var pidFile: String {
                "\(configDirectory)/engines/\(containerID)-slirp.slirp4netns.pid"
            }
        }

        /// A spec with one slirp4netns network named "slirp" and the given ports.
        static func spec(options: [String: String] = [:], ports: String = "") -> String {
            let optionsJSON = options.map { "\"\($0.key)\":\"\($0.value)\"" }
                .joined(separator: ",")
            return """
                {"container_id":"\(containerID)","container_name":"s1",
                 "port_mappings":[\(ports)],
                 "networks":{"slirp":{"interface_name":"eth0"}},
                 "network_info":{"slirp":{"name":"slirp","id":"1","driver":"slirp4netns",
                   "subnets":[],"ipv6_enabled":false,"internal":false,"dns_enabled":false,
                   "options":{\(optionsJSON)}}}}
                """
        }

        /// A one-line HTTP server answering every request with `marker`. Not http.server:
        /// it looks its own address up in DNS before it listens.
        /// The server below on the container's port 8080, started through nsenter.
        static func startServer(inContainer pid: pid_t, marker: String) throws -> Process {
            let server = Process()
            server.executableURL = URL(filePath: "/usr/bin/nsenter")
            server.arguments =
                ["--target", "\(pid)", "--net"]
                + Self.server(address: "0.0.0.0", port: 8080, marker: marker)
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            try server.run()
            return server
        }

        /// SIGKILL: the test runner's blocked SIGTERM is inherited by the server.
        static func stop(_ server: Process) {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }

        static func server(address: String, port: Int, marker: String) -> [String] {
            let code = """
                import socket
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("\(address)", \(port)))
                s.listen(16)
                while True:
                    c, _ = s.accept()
                    c.recv(4096)
                    c.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Length: \(marker.utf8.count)"
                              b"\\r\\n\\r\\n\(marker)")
                    c.close()
                """
            return ["/usr/bin/python3", "-c", code]
        }

        /// The server in the fake host, as root; stopped with the environment.
        static func hostServer(_ environment: Env, address: String, port: Int, marker: String)
            throws
        {
            try environment.start(inHost: server(address: address, port: port, marker: marker))
        }

        /// `curl URL` from `run`, retried for up to five seconds while the server starts.
        static func fetch(_ url: String, _ run: ([String]) throws -> CommandResult) throws
            -> CommandResult
        {
            var result = try run(["curl", "-sS", "-m", "3", url])
            for _ in 0..<25 where !result.succeeded {
                usleep(200_000)
                result = try run(["curl", "-sS", "-m", "3", url])
            }
            return result
        }

        static func isAlive(_ pid: pid_t) -> Bool {
            guard let stat = try? FileSystem.readString("/proc/\(pid)/stat") else { return false }
            // A zombie has exited: its parent (init here) just has not reaped it yet.
            return stat.split(separator: ")").last?.split(separator: " ").first != "Z"
        }

        @Test func trafficOutAndInAndTeardownFromAnotherProcess() throws {
            let environment = try Env()
            defer { environment.remove() }
            let world = try World(environment)
            try Self.hostServer(environment, address: Env.hostIPv4, port: 8301, marker: "out")
            try Self.hostServer(environment, address: "127.0.0.1", port: 8302, marker: "lo")

            let ports =
                #"{"host_ip":"","container_port":8080,"host_port":8303,"range":1,"#
                + #""protocol":"tcp"}"#
            let setup = try world.ferry("setup", spec: Self.spec(ports: ports))
            #expect(setup.status == 0, "\(setup.stdout) \(setup.stderr)")

            // The answer is what the container has: the tap's MAC, 10.0.2.100/24 via
            // 10.0.2.2, DNS at 10.0.2.3, and the IPv6 address from slirp4netns's RA.
            let answer = try #require(
                try JSONSerialization.jsonObject(with: Data(setup.stdout.utf8))
                    as? [String: Any])
            let block = try #require(answer["slirp"] as? [String: Any], "\(answer)")
            #expect(block["dns_server_ips"] as? [String] == ["10.0.2.3"])
            let interface = try #require(
                (block["interfaces"] as? [String: Any])?["eth0"] as? [String: Any])
            let subnets = interface["subnets"] as? [[String: String]] ?? []
            #expect(subnets.first == ["ipnet": "10.0.2.100/24", "gateway": "10.0.2.2"])
            let links = try world.container.ipJSON("addr")
            let tap = try #require(links.first { $0["ifname"] as? String == "eth0" }, "\(links)")
            #expect(tap["address"] as? String == interface["mac_address"] as? String)
            #expect(tap["mtu"] as? Int == 65520)
            let had = (tap["addr_info"] as? [[String: Any]] ?? []).compactMap { entry in
                (entry["local"] as? String).map { "\($0)/\(entry["prefixlen"] as? Int ?? 0)" }
            }
            #expect(had.contains("10.0.2.100/24"))
            let ipv6 = try #require(subnets.dropFirst().first, "no IPv6 in \(subnets)")
            #expect(had.contains(ipv6["ipnet"] ?? "-"))
            #expect(ipv6["gateway"] == "fd00::2")

            // slirp4netns runs as the test user and outlives setup.
            let pid = try #require(
                pid_t(try FileSystem.readString(world.pidFile).trimmingCharacters(in: .newlines)))
            #expect(Self.isAlive(pid))
            let owner = try FileSystem.readString("/proc/\(pid)/status")
            #expect(owner.contains("Uid:\t\(environment.user.uid)\t"))

            // Out: to the host's uplink address; host loopback through 10.0.2.2 is refused.
            let out = try Self.fetch("http://\(Env.hostIPv4):8301/marker", world.container.exec)
            #expect(out.stdout == "out", "\(out.stderr)")
            let loopback = try world.container.exec(
                ["curl", "-s", "-m", "3", "http://10.0.2.2:8302/marker"])
            #expect(!loopback.succeeded && loopback.stdout != "lo")

            // In: a server in the container, reached from the host's 127.0.0.1:8303.
            let server = try Self.startServer(inContainer: world.container.pid, marker: "in")
            defer { Self.stop(server) }
            let inbound = try Self.fetch("http://127.0.0.1:8303/marker") {
                try environment.host.exec($0)
            }
            #expect(inbound.stdout == "in", "\(inbound.stderr)")

            // Teardown, another process: no slirp4netns, no listener, no file.
            let teardown = try world.ferry("teardown", spec: Self.spec(ports: ports))
            #expect(teardown.status == 0, "\(teardown.stdout) \(teardown.stderr)")
            #expect(!Self.isAlive(pid))
            #expect(world.engineFiles.isEmpty, "\(world.engineFiles)")
            let after = try environment.host.exec(
                ["curl", "-s", "-m", "2", "http://127.0.0.1:8303/marker"])
            #expect(!after.succeeded)
        }

        @Test func configuredOptionsReachHostLoopbackInAnotherCIDR() throws {
            let environment = try Env()
            defer { environment.remove() }
            let world = try World(
                environment,
                containersConf: """
                    [engine]
                    network_cmd_options = ["allow_host_loopback=true", "mtu=1500"]
                    """)
            try Self.hostServer(environment, address: "127.0.0.1", port: 8311, marker: "lo")

            // The network's options add to containers.conf's.
            let spec = Self.spec(options: ["cidr": "10.41.0.0/24", "enable_ipv6": "false"])
            let setup = try world.ferry("setup", spec: spec)
            #expect(setup.status == 0, "\(setup.stdout) \(setup.stderr)")
            #expect(setup.stdout.contains(#""ipnet":"10.41.0.100/24""#), "\(setup.stdout)")
            #expect(setup.stdout.contains(#""dns_server_ips":["10.41.0.3"]"#))
            #expect(!setup.stdout.contains("fd00"))
            let links = try world.container.ipJSON("link")
            let tap = try #require(links.first { $0["ifname"] as? String == "eth0" })
            #expect(tap["mtu"] as? Int == 1500)

            let loopback = try Self.fetch("http://10.41.0.2:8311/marker", world.container.exec)
            #expect(loopback.stdout == "lo", "\(loopback.stderr)")

            let teardown = try world.ferry("teardown", spec: spec)
            #expect(teardown.status == 0, "\(teardown.stderr)")
            #expect(world.engineFiles.isEmpty, "\(world.engineFiles)")
        }

        @Test func missingBinaryIsAClearError() throws {
            let environment = try Env()
            defer { environment.remove() }
            let world = try World(
                environment,
                containersConf: """
                    [engine]
                    network_cmd_path = "/nonexistent/slirp4netns"
                    """)
            let setup = try world.ferry("setup", spec: Self.spec())
            #expect(setup.status == 1)
            #expect(setup.stdout.hasPrefix(#"{"error":"#), "\(setup.stdout)")
            #expect(setup.stdout.contains("network slirp"))
            #expect(setup.stdout.contains("/nonexistent/slirp4netns"))
            #expect(setup.stdout.contains("not an executable file"))
            #expect(world.engineFiles.isEmpty)
        }

        @Test func earlyExitCarriesSlirp4netnsMessage() throws {
            let environment = try Env()
            defer { environment.remove() }
            let world = try World(environment)
            // Ferry leaves the MTU's range to slirp4netns, which refuses this one at start.
            let setup = try world.ferry("setup", spec: Self.spec(options: ["mtu": "70000"]))
            #expect(setup.status == 1)
            #expect(setup.stdout.contains("exited with status 1 before it was ready"))
            #expect(setup.stdout.contains("MTU must be a positive integer"), "\(setup.stdout)")
            #expect(world.engineFiles.isEmpty, "\(world.engineFiles)")
            let left = try Command.run(
                ["pgrep", "-f", "netns-type=path \(world.container.netnsPath) "])
            #expect(left.stdout.isEmpty)
        }
    }
}
