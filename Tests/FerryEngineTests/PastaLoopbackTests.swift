import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// Container-to-host forwarding (`-T`, `-U`) and `auto`, through `ferry pasta` run by the
/// test user against a rootless container: servers on the fake host's loopback reached
/// from the container's, listeners that come and go on either side followed, and no port
/// forwarded back to where it came from.
extension EngineEnvironmentSuite {
    @Suite struct PastaLoopbackTests {
        typealias Env = EngineTestEnvironment
        typealias Attach = PastaAttachTests
        typealias DataPath = PastaDataPathTests

        static func peer(_ name: String) -> String { DataPath.peer(name) }

        /// Starts the engine on a new container with `arguments` and the usual attach
        /// options (and `variables` in its environment); returns the container and the
        /// engine's pid.
        static func engine(_ environment: Env, _ arguments: [String], variables: [String] = [])
            throws -> (RootlessContainer, pid_t)
        {
            let container = try environment.startContainer()
            let pidFile = environment.runDirectory + "/pasta.pid"
            let result = try Attach.pasta(
                environment,
                ["--config-net"] + arguments + [
                    "--netns", container.netnsPath, "--userns", container.usernsPath, "-P",
                    pidFile,
                ], variables: variables)
            try #require(result.status == 0, "\(result.stderr)")
            return (container, try Attach.livePid(pidFile))
        }

        /// Starts a Python peer in the container in the background, for at most 60 s;
        /// returns the pid to stop it with.
        static func startInContainer(_ container: RootlessContainer, _ command: String) throws
            -> pid_t
        {
            let started = try container.exec([
                "sh", "-c",
                "cd \(DataPath.peers.path) && { timeout 60 python3 \(command) >/dev/null 2>&1 &"
                    + " echo $!; } && sleep 0.5",
            ])
            try #require(started.succeeded, "\(started.stderr)")
            return try #require(
                pid_t(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        }

        /// `ss -Hln` lines (TCP or UDP) of a namespace for one port.
        static func sockets(_ run: ([String]) throws -> CommandResult, udp: Bool, port: Int)
            throws -> [String]
        {
            let result = try run(["ss", "-Hlnp", udp ? "-u" : "-t", "sport = :\(port)"])
            return result.stdout.split(separator: "\n").map(String.init)
        }

        static func inHost(_ environment: Env) -> ([String]) throws -> CommandResult {
            { try environment.host.exec($0) }
        }

        static func inContainer(_ container: RootlessContainer) -> ([String]) throws
            -> CommandResult
        {
            { try container.exec($0) }
        }

        /// Polls `condition` for up to five seconds (`auto` scans once a second).
        static func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
            for _ in 0..<50 {
                if try condition() { return true }
                usleep(100_000)
            }
            return false
        }

        static func trimmed(_ result: CommandResult) -> String {
            result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// `-T` and `-U` with lists, a translated port, a range with a hole, both loopbacks:
        /// 50 MiB each way checked byte for byte, a half-close each way, a refused port
        /// reset, UDP answered from the port written to; the helper dies with the engine.
        @Test func namespacePortsReachTheHostsLoopback() throws {
            let environment = try Env()
            defer { environment.remove() }
            let results = environment.directory + "/reverse-results"
            for server in [
                ["tcp_server.py", "any", "7701", "transfer"],
                ["tcp_server.py", "any", "7703", "transfer"],
                ["tcp_server.py", "127.0.0.1", "7704", "reverse", results],
                ["udp_echo.py", "any", "7710"],
            ] {
                try environment.startServer(
                    in: environment.host, ["python3", Self.peer(server[0])] + server.dropFirst())
            }
            let (container, engine) = try Self.engine(
                environment,
                [
                    "-t", "none", "-u", "none", "-T", "7701,7702:7703", "-T", "7704",
                    "-T", "7720-7722,~7721", "-T", "7730", "-U", "7710",
                ])

            // Listeners on both loopbacks, none on the excluded port.
            let listening = try container.exec(["ss", "-Hltn"]).stdout
            for port in [7701, 7702, 7720, 7722, 7730] {
                #expect(listening.contains("127.0.0.1:\(port) "), "\(port): \(listening)")
                #expect(listening.contains("[::1]:\(port) "), "\(port): \(listening)")
            }
            #expect(!listening.contains(":7721 "), "\(listening)")

            // 50 MiB up, then the client's half-close, then 50 MiB down.
            let size = "\(50 << 20)"
            let v4 = try container.exec([
                "python3", Self.peer("tcp_client.py"), "127.0.0.1", "7701", size, size,
            ])
            #expect(Self.trimmed(v4) == "ok ::ffff:127.0.0.1", "\(v4.stdout) \(v4.stderr)")
            let v6 = try container.exec([
                "python3", Self.peer("tcp_client.py"), "::1", "7702", "100000", "100000",
            ])
            #expect(Self.trimmed(v6) == "ok ::1", "\(v6.stdout) \(v6.stderr)")

            // The host's half-close first: the container still sends after it.
            let reverse = try container.exec([
                "python3", Self.peer("tcp_client.py"), "127.0.0.1", "7704", "3000000", "2000000",
                "reverse",
            ])
            let sent = Self.trimmed(reverse)
            #expect(sent.hasPrefix("ok "), "\(reverse.stdout) \(reverse.stderr)")
            #expect(
                Self.eventually {
                    let seen = (try? FileSystem.readString(results)) ?? ""
                    return seen == "\(sent.dropFirst(3)) 3000000\n"
                })

            // Nothing listens on the host's 7730: the container's connection is reset.
            let refused = try container.exec([
                "python3", "-c",
                "import socket; s = socket.create_connection(('127.0.0.1', 7730));"
                    + " s.settimeout(5); print(s.recv(1))",
            ])
            #expect(refused.stderr.contains("ConnectionResetError"), "\(refused.stderr)")

            // UDP: the host sees its own loopback; the reply comes from the port written to.
            for (address, seen) in [("127.0.0.1", "::ffff:127.0.0.1"), ("::1", "::1")] {
                let udp = try container.exec([
                    "python3", Self.peer("udp_client.py"), "40020", address, "7710", "hello",
                ])
                let answer = Self.trimmed(udp)
                #expect(answer.hasPrefix("\(seen) "), "\(answer)")
                #expect(answer.hasSuffix(" hello | \(address) 7710"), "\(answer)")
            }

            // The helper is the engine's single-threaded child in the container's namespace,
            // and goes with it.
            let helpers = try Command.run(["pgrep", "-P", "\(engine)"]).stdout
                .split(separator: "\n").compactMap { pid_t($0) }
            try #require(helpers.count == 1, "\(helpers)")
            #expect(
                try FileSystem.readString("/proc/\(helpers[0])/cmdline").contains("__pasta-attach"))
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: "/proc/\(helpers[0])/task")
                    .count == 1)
            kill(engine, SIGKILL)
            #expect(Attach.waitUntilGone(engine))
            #expect(Attach.waitUntilGone(helpers[0]))
        }

        /// Every option left out is `auto`: a server started in the container after the
        /// engine is reached from the host (and its UDP port follows), and no longer once it
        /// stops; host servers, before and after the start, are reached from the container's
        /// loopback; no port the engine opened on one side is forwarded back from the other.
        @Test func autoFollowsListenersOnBothSides() throws {
            let environment = try Env()
            defer { environment.remove() }
            let server = Self.peer("tcp_server.py")
            try environment.startServer(
                in: environment.host, ["python3", server, "any", "7801", "transfer"])
            let (container, engine) = try Self.engine(environment, [])
            let host = Self.inHost(environment)
            let inside = Self.inContainer(container)

            // Host to container: a server bound to the container's address only, so that a
            // loopback listener on its port could exist in the container if the engine made
            // one (the loop it must not make).
            let containerServer = try Self.startInContainer(
                container, "tcp_server.py \(Env.hostIPv4) 7810 transfer")
            #expect(
                try Self.eventually {
                    try Self.sockets(host, udp: false, port: 7810).contains { $0.contains("ferry") }
                })
            let fromHost = try environment.host.exec([
                "python3", Self.peer("tcp_client.py"), "127.0.0.1", "7810", "1000000", "1000000",
            ])
            #expect(Self.trimmed(fromHost) == "ok \(Env.gatewayIPv4)", "\(fromHost.stderr)")
            let fromRemote = try environment.remote.exec([
                "python3", Self.peer("tcp_client.py"), Env.hostRemoteIPv4, "7810", "1000", "1000",
            ])
            #expect(Self.trimmed(fromRemote) == "ok \(Env.remoteIPv4)")
            #expect(try Self.sockets(host, udp: true, port: 7810).contains { $0.contains("ferry") })
            #expect(try Self.sockets(inside, udp: false, port: 7810).count == 1)

            // A UDP server of the container's, through -u auto, seen from the gateway.
            _ = try Self.startInContainer(container, "udp_echo.py any 7811")
            #expect(
                try Self.eventually {
                    try Self.sockets(host, udp: true, port: 7811).contains { $0.contains("ferry") }
                })
            let udp = try environment.host.exec([
                "python3", Self.peer("udp_client.py"), "40030", "127.0.0.1", "7811", "hello",
            ])
            #expect(
                Self.trimmed(udp) == "::ffff:\(Env.gatewayIPv4) 40030 hello | 127.0.0.1 7811")

            // Container to host: the server there before the start, and one started after,
            // bound to the host's loopback only (again, so that a loop could show).
            let lateServer = ["python3", server, "127.0.0.1", "7802", "transfer"]
            try environment.startServer(in: environment.host, lateServer)
            #expect(
                try Self.eventually {
                    try Self.sockets(inside, udp: false, port: 7802).count == 2
                })
            // (The server on both families sees an IPv4-mapped client.)
            for (port, seen) in [("7801", "::ffff:127.0.0.1"), ("7802", "127.0.0.1")] {
                let toHost = try container.exec([
                    "python3", Self.peer("tcp_client.py"), "127.0.0.1", port, "1000000",
                    "1000000",
                ])
                #expect(Self.trimmed(toHost) == "ok \(seen)", "\(port): \(toHost.stderr)")
            }
            #expect(
                try !Self.sockets(host, udp: false, port: 7802).contains { $0.contains("ferry") })

            // The container's server stops: so does its forward, and its UDP companion.
            kill(containerServer, SIGTERM)
            #expect(
                try Self.eventually {
                    try Self.sockets(host, udp: false, port: 7810).isEmpty
                        && Self.sockets(host, udp: true, port: 7810).isEmpty
                })
            let gone = try environment.host.exec([
                "python3", Self.peer("tcp_client.py"), "127.0.0.1", "7810", "10", "10",
            ])
            #expect(!gone.succeeded)

            #expect(Attach.isAlive(engine))
            container.stop()
            #expect(Attach.waitUntilGone(engine))
        }

        /// `-U auto` follows the host's TCP ports too, whatever `-T` is, but never the
        /// engine's own `-t` listener: a UDP socket on the container's loopback there would
        /// keep the container from binding that UDP port itself.
        @Test func udpFollowsTheHostsTCPButNotTheEngines() throws {
            let environment = try Env()
            defer { environment.remove() }
            try environment.startServer(
                in: environment.host,
                ["python3", Self.peer("tcp_server.py"), "127.0.0.1", "7905", "transfer"])
            let (container, engine) = try Self.engine(
                environment, ["-t", "7906", "-u", "none", "-T", "none", "-U", "auto"])
            let inside = Self.inContainer(container)

            #expect(
                try Self.eventually { try Self.sockets(inside, udp: true, port: 7905).count == 2 })
            // The same scan would have opened it.
            #expect(try Self.sockets(inside, udp: true, port: 7906).isEmpty)
            #expect(try Self.sockets(inside, udp: false, port: 7905).isEmpty)

            container.stop()
            #expect(Attach.waitUntilGone(engine))
        }
    }
}
