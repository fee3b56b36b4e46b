import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// `ferry setup` and `ferry teardown` as Podman's rootless netavark calls would run them:
/// as the test user in the fake host, with `--rootless true`, for a rootless container's
/// namespace, each in a process of its own.
extension EngineEnvironmentSuite {
    @Suite struct PastaSetupTests {
        typealias Env = EngineTestEnvironment
        typealias Attach = PastaAttachTests

        static let spec = PastaDataPathTests.fixtures.appending(path: "pasta-network.json")

        /// A state directory of the test user's, a spec with the network's driver, and a
        /// containers.conf, written into the environment's directory.
        struct Files {
            let config: String
            let spec: String
            let containersConf: String
        }

        static func files(
            _ environment: Env, driver: String, containersConf: String
        ) throws -> Files {
            let files = Files(
                config: environment.runDirectory + "/networks",
                spec: environment.directory + "/spec-\(driver).json",
                containersConf: environment.directory + "/containers.conf")
            let text = try FileSystem.readString(spec.path)
            try FileSystem.writeAtomically(
                files.spec, text.replacingOccurrences(of: "DRIVER", with: driver))
            try FileSystem.writeAtomically(files.containersConf, containersConf)
            return files
        }

        /// `ferry --config DIR --rootless true --file SPEC COMMAND NETNS` as the test user,
        /// with an environment that names only the given containers.conf.
        static func ferry(
            _ environment: Env, _ files: Files, _ command: String, _ namespace: String
        ) throws -> UserCommandResult {
            try environment.runAsUserInHost([
                "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=\(environment.directory)", "CONTAINERS_CONF=\(files.containersConf)",
                try Attach.ferry(), "--config", files.config, "--rootless", "true",
                "--log-level", "debug", "--file", files.spec, command, namespace,
            ])
        }

        /// The only network's entry in setup's answer.
        static func status(_ result: UserCommandResult) throws -> [String: Any] {
            let answer = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            let networks = try #require(answer as? [String: Any], "\(result.stdout)")
            return try #require(networks["engine"] as? [String: Any], "\(result.stdout)")
        }

        /// Processes whose command line mentions `text`.
        static func processes(mentioning text: String) -> [String] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.filter { $0.allSatisfy(\.isNumber) }.compactMap { pid in
                guard let line = try? FileSystem.readString("/proc/\(pid)/cmdline"),
                    line.contains(text), Attach.isAlive(pid_t(pid) ?? 0)
                else { return nil }
                return "\(pid): " + line.replacingOccurrences(of: "\0", with: " ")
            }
        }

        /// Setup's answer must describe the tap the engine made in the container.
        static func checkStatus(_ status: [String: Any], _ container: RootlessContainer) throws {
            #expect(status["dns_server_ips"] as? [String] == [PastaDataPathTests.dnsForward])
            #expect(status["dns_search_domains"] as? [String] == [])
            let interfaces = try #require(status["interfaces"] as? [String: Any])
            #expect(Array(interfaces.keys) == [Env.uplink])
            let interface = try #require(interfaces[Env.uplink] as? [String: Any])
            let tap = try Attach.link(container, Env.uplink)
            let mac = try #require(interface["mac_address"] as? String)
            #expect(mac == tap["address"] as? String)
            let subnets = (interface["subnets"] as? [[String: String]] ?? []).map {
                "\($0["ipnet"] ?? "?") via \($0["gateway"] ?? "none")"
            }
            #expect(
                subnets == [
                    "\(Env.hostIPv4)/24 via \(Env.gatewayIPv4)",
                    "\(Env.hostIPv6)/64 via \(Env.gatewayIPv6)",
                ])
            #expect(
                Attach.addresses(tap).isSuperset(of: ["\(Env.hostIPv4)/24", "\(Env.hostIPv6)/64"]))
        }

        @Test func setupStartsTheEngineAndTeardownFromAnotherProcessStopsIt() throws {
            let environment = try Env()
            defer { environment.remove() }
            let container = try environment.startContainer()
            // The engine reads the fake resolver's resolv.conf, never the machine's.
            let files = try Self.files(
                environment, driver: "pasta",
                containersConf: "[network]\npasta_options = [\"--resolv-conf\", "
                    + "\"\(environment.resolvConf)\"]\n")

            let setup = try Self.ferry(environment, files, "setup", container.netnsPath)
            #expect(setup.status == 0, "\(setup.stderr)")
            try Self.checkStatus(try Self.status(setup), container)

            // The engine serves the container: DNS through the forward address.
            let answer = try container.exec([
                "python3", PastaDataPathTests.peer("dns_query.py"), PastaDataPathTests.dnsForward,
            ])
            #expect(
                answer.stdout.hasPrefix(Env.resolvedIPv4), "\(answer.stdout) \(answer.stderr)")
            let engines = files.config + "/engines"
            let pidFiles = try FileManager.default.contentsOfDirectory(atPath: engines)
            #expect(pidFiles.count == 1)
            let engine = try Attach.livePid(engines + "/" + (pidFiles.first ?? ""))

            let started = Date()
            let teardown = try Self.ferry(environment, files, "teardown", container.netnsPath)
            #expect(teardown.status == 0, "\(teardown.stderr)")
            // Stopped by SIGTERM, not by the SIGKILL that follows two seconds later.
            #expect(Date().timeIntervalSince(started) < 1.5)
            #expect(!Attach.isAlive(engine))
            #expect(try FileManager.default.contentsOfDirectory(atPath: engines).isEmpty)
            #expect(Self.processes(mentioning: files.config).isEmpty)
            // The container itself is still there, without the engine's tap.
            #expect(container.isRunning)
            let links = try container.ipJSON("link").compactMap { $0["ifname"] as? String }
            #expect(links == ["lo"])
        }

        /// Teardown stops the engine with SIGTERM. The test runner blocks SIGTERM in the
        /// children it starts, as any caller might: the engine must not keep that mask.
        @Test func engineStopsOnSigtermWhateverItsCallerBlocked() throws {
            let environment = try Env()
            defer { environment.remove() }
            let container = try environment.startContainer()
            let pidFile = environment.runDirectory + "/pasta.pid"
            let result = try Attach.pasta(
                environment, ["--config-net", "--netns", container.netnsPath, "-P", pidFile])
            try #require(result.status == 0, "\(result.stderr)")
            let engine = try Attach.livePid(pidFile)
            let status = try FileSystem.readString("/proc/\(engine)/status")
            #expect(status.contains("SigBlk:\t0000000000000000\n"), "\(status)")

            kill(engine, SIGTERM)
            for _ in 0..<50 where Attach.isAlive(engine) { usleep(20_000) }
            #expect(!Attach.isAlive(engine))
            #expect(container.isRunning)
        }

        @Test func driverAutoPicksPastaForTheRootlessUser() throws {
            let environment = try Env()
            defer { environment.remove() }
            let container = try environment.startContainer()
            // An empty containers.conf: the built-in default_rootless_network_cmd decides.
            let files = try Self.files(environment, driver: "auto", containersConf: "")

            let setup = try Self.ferry(environment, files, "setup", container.netnsPath)
            #expect(setup.status == 0, "\(setup.stderr)")
            #expect(setup.stderr.contains("network engine: pasta, driver auto: rootless"))
            try Self.checkStatus(try Self.status(setup), container)

            let teardown = try Self.ferry(environment, files, "teardown", container.netnsPath)
            #expect(teardown.status == 0, "\(teardown.stderr)")
            #expect(Self.processes(mentioning: files.config).isEmpty)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: files.config + "/engines")
                    .isEmpty)
        }
    }
}
