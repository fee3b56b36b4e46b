import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// The engine end to end in the rootless environment: `ferry pasta` run by the test user in
/// the fake host, serving a rootless container, and real clients inside that container
/// (busybox udhcpc and ping, rdisc6, dhclient, Python sockets) talking through it to the
/// fake host and the remote namespace.
extension EngineEnvironmentSuite {
    @Suite struct PastaDataPathTests {
        typealias Env = EngineTestEnvironment
        typealias Attach = PastaAttachTests

        /// What the container sends DNS to, and the address that reaches the host itself.
        static let dnsForward = "169.254.1.1"
        static let guestAddressMap = "169.254.1.2"

        static let fixtures = TestPaths.packageRoot.appending(
            path: "Tests/FerryEngineTests/Fixtures")
        /// The Python peers shared with FerryEnginePathTests.
        static let peers = TestPaths.packageRoot.appending(
            path: "Tests/FerryEnginePathTests/Fixtures")

        static func peer(_ name: String) -> String { peers.appending(path: name).path }

        /// A container with the engine attached by path, as Podman 5 would start pasta.
        static func attached(_ environment: Env) throws -> (RootlessContainer, pid_t) {
            let container = try environment.startContainer()
            let pidFile = environment.runDirectory + "/pasta.pid"
            let result = try Attach.pasta(
                environment,
                [
                    "--config-net", "--dns-forward", dnsForward, "--map-guest-addr",
                    guestAddressMap, "--netns", container.netnsPath, "--userns",
                    container.usernsPath, "-P", pidFile,
                ])
            try #require(result.status == 0, "\(result.stderr)")
            return (container, try Attach.livePid(pidFile))
        }

        /// One datagram from `port` in the container: "<what the server saw> | <replier>",
        /// nil when nothing came back.
        static func udp(
            _ container: RootlessContainer, from port: Int, to address: String,
            _ destinationPort: Int
        ) throws -> String? {
            let result = try container.exec([
                "python3", peer("udp_client.py"), "\(port)", address, "\(destinationPort)",
                "hello",
            ])
            return result.succeeded
                ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
        }

        @Test func dhcpRouterAdvertisementAndDhcpv6() throws {
            let environment = try Env()
            defer { environment.remove() }
            let (container, engine) = try Self.attached(environment)

            let dhcp = try container.exec([
                "busybox", "udhcpc", "-i", Env.uplink, "-f", "-q", "-n", "-t", "3", "-T", "1",
                "-s", Self.fixtures.appending(path: "udhcpc-report.sh").path,
            ])
            #expect(
                dhcp.stdout.contains(
                    "bound ip=\(Env.hostIPv4) mask=255.255.255.0 router=\(Env.gatewayIPv4)"
                        + " mtu=65520 dns=\(Self.dnsForward)"), "\(dhcp.stdout) \(dhcp.stderr)")

            let advertisement = try container.exec(["rdisc6", "-1", "-r", "3", Env.uplink])
            #expect(
                advertisement.stdout.contains("Prefix                   : 2001:db8:1::/64"),
                "\(advertisement.stdout)")
            #expect(advertisement.stdout.contains("MTU                      :        65520 bytes"))
            #expect(advertisement.stdout.contains("from \(Env.gatewayIPv6)"))

            // dhclient in the foreground (-d), with its own lease and pid files and a script
            // that configures nothing; it stays after the lease, so it is killed at 6 s.
            let lease = environment.directory + "/dhclient6.leases"
            let client = try container.exec([
                "timeout", "-s", "KILL", "6", "dhclient", "-6", "-d", "-1", "-sf", "/bin/true",
                "-lf", lease, "-pf", lease + ".pid", Env.uplink,
            ])
            let leased = (try? FileSystem.readString(lease)) ?? ""
            #expect(leased.contains("iaaddr \(Env.hostIPv6) {"), "\(leased) \(client.stderr)")
            #expect(Attach.isAlive(engine))
            container.stop()
            #expect(Attach.waitUntilGone(engine))
        }

        @Test func udpIcmpAndDnsThroughTheEngine() throws {
            let environment = try Env()
            defer { environment.remove() }
            let echo = Self.peer("udp_echo.py")
            try environment.startServer(in: environment.host, ["python3", echo, "any", "7001"])
            try environment.startServer(in: environment.remote, ["python3", echo, "any", "7000"])
            let (container, engine) = try Self.attached(environment)

            // The tap carries virtio-net headers: the container may offload checksums and TSO.
            let offloads = try container.exec(["python3", Self.peer("offloads.py"), Env.uplink])
            #expect(
                offloads.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                    == "tx-checksum on tso on", "\(offloads.stderr)")

            // The gateway is the host's loopback, and the mapped guest address the host's
            // own address; the servers see the container's source ports.
            #expect(
                try Self.udp(container, from: 40001, to: Env.gatewayIPv4, 7001)
                    == "::ffff:127.0.0.1 40001 hello | \(Env.gatewayIPv4) 7001")
            #expect(
                try Self.udp(container, from: 40002, to: "\(Env.gatewayIPv6)%\(Env.uplink)", 7001)
                    == "::1 40002 hello | \(Env.gatewayIPv6) 7001")
            #expect(
                try Self.udp(container, from: 40003, to: Self.guestAddressMap, 7001)
                    == "::ffff:\(Env.hostIPv4) 40003 hello | \(Self.guestAddressMap) 7001")
            // The remote namespace sees the host's address on its side of the route.
            #expect(
                try Self.udp(container, from: 40004, to: Env.remoteIPv4, 7000)
                    == "::ffff:\(Env.hostRemoteIPv4) 40004 hello | \(Env.remoteIPv4) 7000")
            #expect(
                try Self.udp(container, from: 40005, to: Env.remoteIPv6, 7000)
                    == "\(Env.hostRemoteIPv6) 40005 hello | \(Env.remoteIPv6) 7000")

            // Echo requests through the engine's ping sockets, over both families.
            for target in [Env.remoteIPv4, Env.remoteIPv6] {
                let ping = try container.exec(["busybox", "ping", "-c", "2", "-W", "3", target])
                #expect(ping.stdout.contains("2 packets received"), "\(target): \(ping.stdout)")
            }

            // DNS to the forward address goes to the resolver of --resolv-conf.
            let answer = try container.exec(["python3", Self.peer("dns_query.py"), Self.dnsForward])
            #expect(
                answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                    == "\(Env.resolvedIPv4) \(Self.dnsForward)", "\(answer.stderr)")

            #expect(
                try FileManager.default.contentsOfDirectory(atPath: "/proc/\(engine)/task")
                    .count == 1)
            container.stop()
            #expect(Attach.waitUntilGone(engine))
        }

        /// `-t` and `-u` through `ferry pasta`, as Podman spells them: a client in the remote
        /// namespace is seen with its own address, one on the host's loopback from the
        /// gateway; a TCP transfer checked by SHA-256 both ways.
        @Test func forwardedPortsReachTheContainer() throws {
            let environment = try Env()
            defer { environment.remove() }
            let container = try environment.startContainer()
            // Servers inside the container, bounded in time since they outlive nsenter.
            for server in [
                "tcp_server.py any 7601 transfer", "udp_echo.py any 7610",
            ] {
                let started = try container.exec([
                    "sh", "-c",
                    "cd \(Self.peers.path) && timeout 60 python3 \(server) >/dev/null 2>&1 &"
                        + " sleep 0.5",
                ])
                try #require(started.succeeded, "\(started.stderr)")
            }
            let pidFile = environment.runDirectory + "/pasta.pid"
            let result = try Attach.pasta(
                environment,
                [
                    "--config-net", "-t", "7600-7600:7601-7601", "-u", "7610", "-T", "none",
                    "-U", "none", "--netns", container.netnsPath, "--userns",
                    container.usernsPath, "-P", pidFile,
                ])
            try #require(result.status == 0, "\(result.stderr)")
            let engine = try Attach.livePid(pidFile)

            let tcp = try environment.remote.exec([
                "python3", Self.peer("tcp_client.py"), Env.hostRemoteIPv4, "7600", "4000000",
                "4000000",
            ])
            #expect(
                tcp.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                    == "ok ::ffff:\(Env.remoteIPv4)", "\(tcp.stderr)")
            let udp = try environment.host.exec([
                "python3", Self.peer("udp_client.py"), "40010", "127.0.0.1", "7610", "hello",
            ])
            #expect(
                udp.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                    == "::ffff:\(Env.gatewayIPv4) 40010 hello | 127.0.0.1 7610")
            container.stop()
            #expect(Attach.waitUntilGone(engine))
        }
    }
}
