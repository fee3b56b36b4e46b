import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// Container-to-host forwarding when something gives out: the namespace helper stops
/// answering, or the engine runs out of descriptors.
extension EngineEnvironmentSuite {
    @Suite struct PastaLoopbackFailureTests {
        typealias Env = EngineTestEnvironment
        typealias Attach = PastaAttachTests
        typealias Loopback = PastaLoopbackTests

        /// The engine's one child, the namespace helper.
        static func helper(of engine: pid_t) throws -> pid_t {
            let helpers = try Command.run(["pgrep", "-P", "\(engine)"]).stdout
                .split(separator: "\n").compactMap { pid_t($0) }
            try #require(helpers.count == 1, "\(helpers)")
            return helpers[0]
        }

        /// A stopped helper is given up after its answer timeout, the engine goes on, and it
        /// still exits when the container goes (it used to wait for the helper forever).
        @Test func stoppedHelperDoesNotHoldTheEngine() throws {
            let environment = try Env()
            defer { environment.remove() }
            let (container, engine) = try Loopback.engine(
                environment, ["-t", "none", "-u", "none", "-U", "none"])
            let helper = try Self.helper(of: engine)
            kill(helper, SIGSTOP)

            // A host server appears: `-T auto` asks the stopped helper for a listener.
            try environment.startServer(
                in: environment.host,
                ["python3", Loopback.peer("tcp_server.py"), "127.0.0.1", "7901", "transfer"])
            sleep(4)
            #expect(Attach.isAlive(engine))

            // Its late answer (a listener on 7901) is never taken for a later request's
            // (7907): the helper was given up, and nothing more is asked of it.
            kill(helper, SIGCONT)
            try environment.startServer(
                in: environment.host,
                ["python3", Loopback.peer("tcp_server.py"), "127.0.0.1", "7907", "transfer"])
            sleep(2)
            let inside = Loopback.inContainer(container)
            #expect(try Loopback.sockets(inside, udp: false, port: 7901).isEmpty)
            #expect(try Loopback.sockets(inside, udp: false, port: 7907).isEmpty)
            #expect(Attach.isAlive(engine))

            container.stop()
            let gone = Attach.waitUntilGone(engine)
            #expect(gone)
            if !gone {
                // Not reaped, so the pid is still the helper's.
                kill(helper, SIGKILL)
                #expect(Attach.waitUntilGone(engine))
            }
        }

        /// Seconds of CPU the process has used (user and system).
        static func cpuSeconds(_ pid: pid_t) throws -> Double {
            let stat = try FileSystem.readString("/proc/\(pid)/stat")
            let fields = try #require(stat.split(separator: ")").last).split(separator: " ")
            // utime and stime, fields 14 and 15 of stat(5); 12 and 13 after the name.
            let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
            return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
        }

        /// Lowers the engine's descriptor limit so that exactly `spare` descriptors are free.
        /// (As the engine's user: root here lacks CAP_SYS_RESOURCE.)
        static func limitDescriptors(_ environment: Env, _ pid: pid_t, spare: Int) throws {
            let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
                .compactMap { Int($0) }
            var limit = spare
            while limit - open.filter({ $0 < limit }).count < spare { limit += 1 }
            let result = try environment.runAsUserInHost([
                "prlimit", "--pid", "\(pid)", "--nofile=\(limit):\(limit)",
            ])
            try #require(result.status == 0, "\(result.stderr)")
        }

        /// Out of descriptors, a `-T` listener's waiting connection makes the engine stop
        /// watching it for a second at a time, not spin on accept(2) failing with EMFILE;
        /// once descriptors are free again, connections go through.
        @Test func descriptorsRunningOutDoNotSpinTheEngine() throws {
            let environment = try Env()
            defer { environment.remove() }
            try environment.startServer(
                in: environment.host,
                ["python3", Loopback.peer("tcp_server.py"), "any", "7902", "transfer"])
            let (container, engine) = try Loopback.engine(
                environment, ["-t", "none", "-u", "none", "-T", "7902", "-U", "none"])

            // Three spliced connections take a socket on each side and two pipes each: then
            // none is left, and the fourth waits in the listener's backlog.
            try Self.limitDescriptors(environment, engine, spare: 3 * 6)
            let holder = try Loopback.startInContainer(container, "tcp_hold.py 127.0.0.1 7902 5")
            sleep(2)
            let before = try Self.cpuSeconds(engine)
            sleep(2)
            let spent = try Self.cpuSeconds(engine) - before
            #expect(spent < 0.5, "the engine used \(spent) s of CPU in 2 s")

            kill(holder, SIGTERM)
            sleep(2)
            let after = try container.exec([
                "python3", Loopback.peer("tcp_client.py"), "127.0.0.1", "7902", "100000",
                "100000",
            ])
            #expect(Loopback.trimmed(after).hasPrefix("ok "), "\(after.stdout) \(after.stderr)")
            container.stop()
            #expect(Attach.waitUntilGone(engine))
        }

        /// Started with a soft descriptor limit below the hard one, the engine raises it to
        /// the hard one (as pasta does): 1024 would not hold its 1024 spliced connections.
        @Test func engineRaisesItsDescriptorLimit() throws {
            let environment = try Env()
            defer { environment.remove() }
            let container = try environment.startContainer()
            let pidFile = environment.runDirectory + "/pasta.pid"
            let result = try environment.runAsUserInHost([
                "prlimit", "--nofile=1024:8192", try Attach.ferry(), "pasta", "--resolv-conf",
                environment.resolvConf, "--config-net", "-t", "none", "-u", "none", "-T", "none",
                "-U", "none", "--netns", container.netnsPath, "--userns", container.usernsPath,
                "-P", pidFile,
            ])
            try #require(result.status == 0, "\(result.stderr)")
            let engine = try Attach.livePid(pidFile)
            let limits = try FileSystem.readString("/proc/\(engine)/limits")
            let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }
            let fields = line?.split(separator: " ").map(String.init) ?? []
            #expect(fields.count >= 5 && fields[3] == "8192" && fields[4] == "8192", "\(limits)")

            container.stop()
            #expect(Attach.waitUntilGone(engine))
        }
    }
}
