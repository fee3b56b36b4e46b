import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// Rootless end to end with driver `auto`: as the unprivileged test user in the fake host,
/// `ferry --rootless true setup` picks the mode from containers.conf alone (pasta by
/// default, slirp4netns when asked, slirp4netns again when the engine refuses a configured
/// pasta option), the container reaches a server in the fake host, a published port
/// reaches the container from the host's 127.0.0.1, and a teardown run by another process
/// leaves no process and no file behind.
extension EngineEnvironmentSuite {
    @Suite struct RootlessAutoModeTests {
        typealias Env = EngineTestEnvironment
        typealias Slirp = Slirp4netnsModeTests
        static let containerID = String(repeating: "a7", count: 32)

        /// What one mode gives the container, as the test checks it.
        struct Expected {
            let mode: String
            let pidFile: String
            let processWord: String
            let subnet: [String: String]
            let dns: String
            /// Where the container finds the fake host's own address.
            let hostAddress: String
        }

        static let pasta = Expected(
            mode: "pasta", pidFile: "\(containerID)-auto.pid", processWord: "__pasta-daemon",
            subnet: ["ipnet": "\(Env.hostIPv4)/24", "gateway": Env.gatewayIPv4],
            dns: PastaDataPathTests.dnsForward, hostAddress: PastaDataPathTests.guestAddressMap)

        static let slirp4netns = Expected(
            mode: "slirp4netns", pidFile: "\(containerID)-auto.slirp4netns.pid",
            processWord: "slirp4netns", subnet: ["ipnet": "10.0.2.100/24", "gateway": "10.0.2.2"],
            dns: "10.0.2.3", hostAddress: Env.hostIPv4)

        /// One container and the files of its ferry runs.
        struct World {
            let environment: Env
            let container: RootlessContainer
            let config: String
            let containersConf: String

            init(_ environment: Env, containersConf: String) throws {
                self.environment = environment
                container = try environment.startContainer()
                config = environment.runDirectory + "/auto-config"
                self.containersConf = environment.directory + "/containers.conf"
                try FileSystem.writeAtomically(self.containersConf, containersConf)
                chmod(self.containersConf, 0o644)
            }

            /// `ferry --rootless true ... COMMAND NETNS` as the test user, with an environment
            /// that names only this world's containers.conf. Each call is its own process.
            func ferry(_ command: String, ports: String) throws -> UserCommandResult {
                let specFile = environment.directory + "/spec-\(UUID().uuidString).json"
                try FileSystem.writeAtomically(specFile, RootlessAutoModeTests.spec(ports: ports))
                chmod(specFile, 0o644)
                return try environment.runAsUserInHost([
                    "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                    "HOME=\(environment.directory)", "CONTAINERS_CONF=\(containersConf)",
                    try PastaAttachTests.ferry(), "--rootless", "true", "--config", config,
                    "--log-level", "debug", "-f", specFile, command, container.netnsPath,
                ])
            }

            var engineFiles: [String] { FileSystem.listDirectory(config + "/engines") }

            /// Live processes whose command line names the container's namespace.
            var helpers: [String] {
                PastaSetupTests.processes(mentioning: container.netnsPath)
            }
        }

        /// A spec with one network "auto" of driver auto, and the given port mappings.
        static func spec(ports: String) -> String {
            """
            {"container_id":"\(containerID)","container_name":"auto1",
             "port_mappings":[\(ports)],
             "networks":{"auto":{"interface_name":"eth0"}},
             "network_info":{"auto":{"name":"auto","id":"2","driver":"auto",
               "subnets":[],"ipv6_enabled":false,"internal":false,"dns_enabled":false}}}
            """
        }

        static func tcpPort(_ host: Int, to container: Int) -> String {
            #"{"host_ip":"","container_port":\#(container),"host_port":\#(host),"range":1,"#
                + #""protocol":"tcp"}"#
        }

        /// Setup, the checks of `expected`, traffic out (and in when `ports` maps host port
        /// `hostPort` to the container's 8080), then teardown from another process.
        static func run(
            _ containersConf: String, expected: Expected, hostPort: Int?, serverPort: Int,
            stderrMentions: [String] = []
        ) throws {
            let environment = try Env()
            defer { environment.remove() }
            let world = try World(environment, containersConf: containersConf)
            try Slirp.hostServer(environment, address: "0.0.0.0", port: serverPort, marker: "out")
            let ports = hostPort.map { tcpPort($0, to: 8080) } ?? ""

            let setup = try world.ferry("setup", ports: ports)
            try #require(setup.status == 0, "\(setup.stdout) \(setup.stderr)")
            #expect(
                setup.stderr.contains("network auto: \(expected.mode), driver auto:"),
                "\(setup.stderr)")
            for text in stderrMentions {
                #expect(setup.stderr.contains(text), "\(setup.stderr)")
            }

            // The StatusBlock's shape is the mode's, and matches the container's tap.
            let answer = try #require(
                try JSONSerialization.jsonObject(with: Data(setup.stdout.utf8))
                    as? [String: Any])
            let block = try #require(answer["auto"] as? [String: Any], "\(answer)")
            #expect(block["dns_server_ips"] as? [String] == [expected.dns])
            let interface = try #require(
                (block["interfaces"] as? [String: Any])?[Env.uplink] as? [String: Any])
            let subnets = interface["subnets"] as? [[String: String]] ?? []
            #expect(subnets.first == expected.subnet, "\(subnets)")
            let tap = try PastaAttachTests.link(world.container, Env.uplink)
            #expect(tap["address"] as? String == interface["mac_address"] as? String)
            // The engine's preflight made a tap of its own, which went with its child.
            let links = try world.container.ipJSON("link").compactMap { $0["ifname"] as? String }
            #expect(links.sorted() == ["lo", Env.uplink].sorted(), "\(links)")

            // Exactly the mode's helper runs, as the test user, from its pid file.
            let pidFiles = world.engineFiles.filter { $0.hasSuffix(".pid") }
            #expect(pidFiles == [expected.pidFile], "\(world.engineFiles)")
            let pid = try PastaAttachTests.livePid(
                world.config + "/engines/" + expected.pidFile)
            let words = try FileSystem.readString("/proc/\(pid)/cmdline").split(separator: "\0")
            #expect(words.contains { $0.hasSuffix(expected.processWord) }, "\(words)")
            let owner = try FileSystem.readString("/proc/\(pid)/status")
            #expect(owner.contains("Uid:\t\(environment.user.uid)\t"))

            // Out: a server in the fake host, at the address the mode gives the host.
            let out = try Slirp.fetch(
                "http://\(expected.hostAddress):\(serverPort)/", world.container.exec)
            #expect(out.stdout == "out", "\(out.stderr)")

            // In: a server in the container, from the fake host's 127.0.0.1.
            if let hostPort {
                try checkInbound(world, hostPort: hostPort)
            }

            let teardown = try world.ferry("teardown", ports: ports)
            #expect(teardown.status == 0, "\(teardown.stdout) \(teardown.stderr)")
            #expect(PastaAttachTests.waitUntilGone(pid))
            #expect(world.engineFiles.isEmpty, "\(world.engineFiles)")
            #expect(world.helpers.isEmpty, "\(world.helpers)")
            if let hostPort {
                let after = try environment.host.exec(
                    ["curl", "-s", "-m", "2", "http://127.0.0.1:\(hostPort)/"])
                #expect(!after.succeeded)
            }
            #expect(world.container.isRunning)
        }

        static func checkInbound(_ world: World, hostPort: Int) throws {
            let server = try Slirp.startServer(inContainer: world.container.pid, marker: "in")
            defer { Slirp.stop(server) }
            let inbound = try Slirp.fetch("http://127.0.0.1:\(hostPort)/") {
                try world.environment.host.exec($0)
            }
            #expect(inbound.stdout == "in", "\(inbound.stderr)")
        }

        /// No containers.conf setting: the built-in default_rootless_network_cmd, pasta,
        /// with the spec's published port forwarded by the engine.
        @Test func defaultConfigurationGivesPasta() throws {
            try Self.run("", expected: Self.pasta, hostPort: 8402, serverPort: 8401)
        }

        @Test func configuredSlirp4netnsGivesSlirp4netns() throws {
            try Self.run(
                "[network]\ndefault_rootless_network_cmd = \"slirp4netns\"\n",
                expected: Self.slirp4netns, hostPort: 8422, serverPort: 8421)
        }

        /// containers.conf changes between setup and teardown (netns = "bridge" where
        /// pasta was the default): teardown stops the engine setup started, from the mode
        /// setup recorded, and leaves no record behind.
        @Test func teardownFollowsTheModeSetupRecorded() throws {
            let environment = try Env()
            defer { environment.remove() }
            let world = try World(environment, containersConf: "")
            let setup = try world.ferry("setup", ports: "")
            try #require(setup.status == 0, "\(setup.stdout) \(setup.stderr)")
            let records = world.config + "/modes"
            #expect(FileSystem.listDirectory(records).count == 1)
            let pid = try PastaAttachTests.livePid(
                world.config + "/engines/" + Self.pasta.pidFile)

            try FileSystem.writeAtomically(
                world.containersConf, "[containers]\nnetns = \"bridge\"\n")
            let teardown = try world.ferry("teardown", ports: "")
            #expect(teardown.status == 0, "\(teardown.stdout) \(teardown.stderr)")
            #expect(teardown.stderr.contains("as recorded at setup"), "\(teardown.stderr)")
            #expect(PastaAttachTests.waitUntilGone(pid))
            #expect(world.engineFiles.isEmpty, "\(world.engineFiles)")
            #expect(FileSystem.listDirectory(records).isEmpty)
        }

        /// A network namespace the user may not join (root's): the engine's preflight says
        /// which step failed, with the kernel's reason, and setup leaves nothing behind.
        @Test func tapProbeInANamespaceNotOursSaysWhy() throws {
            let environment = try Env()
            defer { environment.remove() }
            let world = try World(environment, containersConf: "")
            let foreign = try TestNamespace("probe")
            defer { foreign.remove() }
            let specFile = environment.directory + "/spec-probe.json"
            let spec = Self.spec(ports: "").replacingOccurrences(
                of: #""driver":"auto""#, with: #""driver":"pasta""#)
            try FileSystem.writeAtomically(specFile, spec)
            chmod(specFile, 0o644)
            let setup = try environment.runAsUserInHost([
                "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=\(environment.directory)", "CONTAINERS_CONF=\(world.containersConf)",
                try PastaAttachTests.ferry(), "--rootless", "true", "--config", world.config,
                "-f", specFile, "setup", foreign.path,
            ])
            #expect(setup.status == 1, "\(setup.stdout) \(setup.stderr)")
            #expect(
                setup.stdout.contains(
                    "creating a tap in \(foreign.path): joining the network namespace"),
                "\(setup.stdout)")
            #expect(setup.stdout.contains("Operation not permitted"), "\(setup.stdout)")
            let links = try foreign.ipJSON("link").compactMap { $0["ifname"] as? String }
            #expect(links == ["lo"], "\(links)")
            #expect(world.engineFiles.isEmpty, "\(world.engineFiles)")
        }

        /// pasta is configured, but the engine's preflight refuses an option: slirp4netns
        /// runs instead, with a warning that names the option.
        @Test func refusedPastaOptionFallsBackToSlirp4netns() throws {
            try Self.run(
                "[network]\npasta_options = [\"--no-such-option\"]\n",
                expected: Self.slirp4netns, hostPort: 8432, serverPort: 8431,
                stderrMentions: ["--no-such-option", "falling back to slirp4netns"])
        }
    }
}
