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
