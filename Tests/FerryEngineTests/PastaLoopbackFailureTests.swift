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

            container.stop()
            let gone = Attach.waitUntilGone(engine)
            #expect(gone)
            if !gone {
                // Not reaped, so the pid is still the helper's.
                kill(helper, SIGKILL)
                #expect(Attach.waitUntilGone(engine))
            }
        }
    }
}
