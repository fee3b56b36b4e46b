import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// The spliced `-T` connections under load and over time: one fast connection does not
/// hold the engine's thread, half-closed connections do not hold their slots forever, idle
/// slots give back their pipes, and a port the container already uses is named as the
/// container's.
extension EngineEnvironmentSuite {
    @Suite struct PastaSpliceTests {
        typealias Env = EngineTestEnvironment
        typealias Attach = PastaAttachTests
        typealias Loopback = PastaLoopbackTests

        /// A bulk transfer through one `-T` connection while another answers one byte at a
        /// time: the answers keep coming within a bound (without a budget per wake-up, the
        /// engine spliced the bulk connection until it would block, for seconds at a time).
        @Test func bulkTransferDoesNotStarveOtherConnections() throws {
            let environment = try Env()
            defer { environment.remove() }
            try environment.startServer(
                in: environment.host,
                ["python3", Loopback.peer("tcp_fairness.py"), "serve", "7740"])
            let (container, engine) = try Loopback.engine(
                environment, ["-t", "none", "-u", "none", "-T", "7740", "-U", "none"])

            let result = try container.exec([
                "python3", Loopback.peer("tcp_fairness.py"), "measure", "127.0.0.1", "7740", "5",
            ])
            // MAX_MS P99_MS MEDIAN_MS SLOW BULK_MIB (tcp_fairness.py). Unfair, the 99th
            // percentile was 110 to 160 ms here; fair, 20 to 25 ms.
            let fields = Loopback.trimmed(result).split(separator: " ").compactMap { Double($0) }
            try #require(fields.count == 5, "\(result.stdout) \(result.stderr)")
            #expect(fields[4] >= 100, "the bulk transfer moved only \(fields[4]) MiB")
            #expect(fields[1] < 70, "round trips (max, p99, median, over 50 ms): \(result.stdout)")

            container.stop()
            #expect(Attach.waitUntilGone(engine))
        }

        /// TCP connections in the container to `port`, open or half-closed by the client,
        /// counted from the client's side.
        static func clients(_ container: RootlessContainer, port: Int) throws -> Int {
            let result = try container.exec([
                "ss", "-Htn", "state", "established", "state", "fin-wait-2", "dport = :\(port)",
            ])
            return result.stdout.split(separator: "\n").count
        }

        /// The pipes the engine holds.
        static func pipes(_ engine: pid_t) throws -> Int {
            let directory = "/proc/\(engine)/fd"
            return try FileManager.default.contentsOfDirectory(atPath: directory).filter {
                let target = try? FileManager.default.destinationOfSymbolicLink(
                    atPath: directory + "/" + $0)
                return target?.hasPrefix("pipe:") == true
            }.count
        }

        /// Connections whose container side ended its stream while the host's server never
        /// closes are closed once idle for the half-closed timeout (2 s here, through the
        /// tests' environment knob; 60 s otherwise); open ones stay.
        @Test func halfClosedConnectionsExpire() throws {
            let environment = try Env()
            defer { environment.remove() }
            try environment.startServer(
                in: environment.host,
                ["python3", Loopback.peer("tcp_server.py"), "any", "7750", "stall"])
            let (container, engine) = try Loopback.engine(
                environment, ["-t", "none", "-u", "none", "-T", "7750", "-U", "none"],
                variables: ["FERRY_SPLICE_HALF_CLOSED_TIMEOUT=2"])

            _ = try Loopback.startInContainer(container, "tcp_many.py 127.0.0.1 7750 10 half")
            _ = try Loopback.startInContainer(container, "tcp_many.py 127.0.0.1 7750 2 hold")
            #expect(try Loopback.eventually { try Self.clients(container, port: 7750) == 12 })

            // The ten half-closed ones go within the timeout and a tick; the two open ones stay.
            #expect(try Loopback.eventually { try Self.clients(container, port: 7750) == 2 })
            sleep(3)
            #expect(try Self.clients(container, port: 7750) == 2)

            container.stop()
            #expect(Attach.waitUntilGone(engine))
        }

        /// A burst of 100 connections takes two pipes each; once they close, the engine keeps
        /// the pipes of at most 16 (SpliceTable.pipePoolLimit), not all 200.
        @Test func closedConnectionsGiveBackTheirPipes() throws {
            let environment = try Env()
            defer { environment.remove() }
            try environment.startServer(
                in: environment.host,
                ["python3", Loopback.peer("tcp_server.py"), "any", "7751", "transfer"])
            let (container, engine) = try Loopback.engine(
                environment, ["-t", "none", "-u", "none", "-T", "7751", "-U", "none"])
            let before = try Self.pipes(engine)

            let holder = try Loopback.startInContainer(
                container, "tcp_many.py 127.0.0.1 7751 100 hold")
            #expect(try Loopback.eventually { try Self.pipes(engine) - before >= 400 })
            kill(holder, SIGTERM)
            #expect(try Loopback.eventually { try Self.clients(container, port: 7751) == 0 })
            let released = try Loopback.eventually { try Self.pipes(engine) - before <= 16 * 4 }
            let left = try Self.pipes(engine) - before
            #expect(released, "\(left) pipe descriptors left")

            // The pool serves the next connections.
            let after = try container.exec([
                "python3", Loopback.peer("tcp_client.py"), "127.0.0.1", "7751", "100000",
                "100000",
            ])
            #expect(Loopback.trimmed(after).hasPrefix("ok "), "\(after.stdout) \(after.stderr)")

            container.stop()
            #expect(Attach.waitUntilGone(engine))
        }

        /// A `-T` port the container already uses fails the start, and the error says the
        /// port is the container's.
        @Test func bindErrorNamesTheContainer() throws {
            let environment = try Env()
            defer { environment.remove() }
            let container = try environment.startContainer()
            let up = try container.exec(["ip", "link", "set", "lo", "up"])
            try #require(up.succeeded, "\(up.stderr)")
            _ = try Loopback.startInContainer(container, "tcp_server.py 127.0.0.1 7752 stall")

            let result = try Attach.pasta(
                environment,
                [
                    "--config-net", "-t", "none", "-u", "none", "-T", "7752", "-U", "none",
                    "--netns", container.netnsPath, "--userns", container.usernsPath,
                ])
            #expect(result.status != 0)
            #expect(
                result.stderr.contains("port 7752 in the container: Address already in use"),
                "\(result.stderr)")
            container.stop()
        }
    }
}
