import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// The tests that build namespaces and run the engine as the test user. One at a time: they
/// start long-running processes, and Foundation's Process leaks pipe ends between children
/// spawned at the same moment, which can hold a test up forever.
@Suite(.serialized, .enabled(if: TestPaths.isRoot, "needs root for namespaces and the test user"))
struct EngineEnvironmentSuite {}

/// The environment every engine test stands on: if these fail, the engine tests mean nothing.
extension EngineEnvironmentSuite {
    @Suite struct TestEnvironmentTests {
        @Test func machineStateIsInPlace() throws {
            let user = try TestMachine.prepare()
            #expect(user.uid != 0)
            var info = stat()
            #expect(stat("/dev/net/tun", &info) == 0)
            #expect(info.st_mode & 0o777 == 0o666)
            let subuid = try FileSystem.readString("/etc/subuid")
            #expect(subuid.contains("\(user.name):\(user.subordinateStart):65536"))
            let subgid = try FileSystem.readString("/etc/subgid")
            #expect(subgid.contains("\(user.name):"))
        }

        @Test func containerIsRootlessWithSubordinateIds() throws {
            let environment = try EngineTestEnvironment()
            defer { environment.remove() }
            let container = try environment.startContainer()
            let map = try FileSystem.readString("/proc/\(container.pid)/uid_map")
            let rows = map.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(rows.first == ["0", "\(environment.user.uid)", "1"])
            #expect(rows.dropFirst().first?[1] == "\(environment.user.subordinateStart)")
            var mine = stat()
            var theirs = stat()
            stat("/proc/self/ns/net", &mine)
            stat(container.netnsPath, &theirs)
            #expect(mine.st_ino != theirs.st_ino)
            let links = try container.ipJSON("link")
            #expect(links.map { $0["ifname"] as? String } == ["lo"])
        }

        @Test func hostHasUplinkRoutesAndResolver() throws {
            let environment = try EngineTestEnvironment()
            defer { environment.remove() }
            let routes = try environment.host.run(["ip", "route", "show", "default"])
            #expect(routes.contains("via \(EngineTestEnvironment.gatewayIPv4) dev eth0"))
            let routes6 = try environment.host.run(["ip", "-6", "route", "show", "default"])
            #expect(routes6.contains("via \(EngineTestEnvironment.gatewayIPv6) dev eth0"))
            let range = try environment.host.run(["sysctl", "-n", "net.ipv4.ping_group_range"])
            #expect(range.split(whereSeparator: \.isWhitespace) == ["0", "2147483647"])

            // The remote client reaches the host's uplink address through the host.
            let path = try environment.remote.run([
                "ip", "route", "get", EngineTestEnvironment.hostIPv4,
            ])
            #expect(path.contains("via \(EngineTestEnvironment.hostRemoteIPv4)"))

            // The fake resolver answers, as the test user, from the host namespace.
            let query = try environment.runAsUserInHost([
                "/usr/bin/python3", "-c", Self.resolveScript, "127.0.0.1",
            ])
            #expect(query.stdout.contains(EngineTestEnvironment.resolvedIPv4), "\(query.stderr)")
        }

        /// Sends one A query for ferry.test to argv[1] and prints the answer's address.
        static let resolveScript = """
            import socket, struct, sys
            q = struct.pack('!HHHHHH', 7, 0x0100, 1, 0, 0, 0) + b'\\x05ferry\\x04test\\x00' \
            + struct.pack('!HH', 1, 1)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
            s.sendto(q, (sys.argv[1], 53)); r = s.recv(512)
            print(socket.inet_ntop(socket.AF_INET, r[-4:]))
            """
    }
}
