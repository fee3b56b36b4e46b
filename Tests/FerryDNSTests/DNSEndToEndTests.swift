import FerrySystem
import FerryTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A DNS-enabled bridge network end to end: the built ferry and Debian's aardvark-dns in a
/// fake host namespace, containers as namespaces. Upstream names come from a responder of
/// the test's own on the fake host's loopback, never from this machine's resolver.
@Suite(
    .enabled(if: TestPaths.isRoot, "creating namespaces needs root"),
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: DNSWorld.aardvark),
        "aardvark-dns is not installed"))
struct DNSEndToEndTests {
    @Test func containersResolveEachOtherAndOutsideNames() throws {
        let world = try DNSWorld()
        defer { world.cleanUp() }
        let firstUpstream = try world.upstream(listen: "127.0.0.2", answer: "192.0.2.77")
        let secondUpstream = try world.upstream(listen: "127.0.0.3", answer: "192.0.2.88")
        defer {
            firstUpstream.stop()
            secondUpstream.stop()
        }

        let one = try world.container("one", address: "10.77.0.2", alias: "alpha")
        let two = try world.container("two", address: "10.77.0.3", alias: "beta")
        let answer = try world.ferry(["setup", one.namespace.path], spec: one.spec)
        #expect(answer.status == 0, "\(answer.stdout) \(answer.stderr)")
        #expect(answer.stdout.contains(#""dns_search_domains":["dns.podman"]"#))
        #expect(answer.stdout.contains(#""dns_server_ips":["10.77.0.1"]"#))
        try #require(world.ferry(["setup", two.namespace.path], spec: two.spec).status == 0)
        let pid = try #require(world.aardvarkPID(), "no aardvark-dns is running")

        // Names and aliases of the other container, through the gateway.
        #expect(try world.lookup(from: one, "two").contains("Address: 10.77.0.3"))
        #expect(try world.lookup(from: one, "beta").contains("Address: 10.77.0.3"))
        #expect(try world.lookup(from: two, "alpha").contains("Address: 10.77.0.2"))

        // An outside name goes to the network's upstream, then to the new one after update.
        #expect(try world.lookup(from: one, "outside.test").contains("Address: 192.0.2.77"))
        let update = try world.ferry(
            ["update", "dnsnet", "--network-dns-servers", "127.0.0.3"], spec: nil)
        #expect(update.status == 0, "\(update.stdout) \(update.stderr)")
        #expect(try world.networkFile().hasPrefix("10.77.0.1 127.0.0.3\n"))
        #expect(try world.lookup(from: one, "outside.test").contains("Address: 192.0.2.88"))

        // The first teardown keeps aardvark for the other container; the last stops it.
        try #require(world.ferry(["teardown", one.namespace.path], spec: one.spec).status == 0)
        #expect(try !world.networkFile().contains("one,alpha"))
        #expect(try world.networkFile().contains("two,beta"))
        #expect(world.aardvarkPID() == pid)
        try #require(world.ferry(["teardown", two.namespace.path], spec: two.spec).status == 0)
        #expect(world.aardvarkPID() == nil)
        #expect(!isAlive(pid))
        #expect(!FileManager.default.fileExists(atPath: world.config + "/aardvark-dns"))
        #expect(try !world.host.run(["ip", "-br", "link"]).contains("fydns0"))
    }

    @Test func dualStackGatewaysAnswerBothFamilies() throws {
        let world = try DNSWorld()
        defer { world.cleanUp() }
        let one = try world.container("one", address: "10.77.0.2", ipv6: "fd77::2", alias: "a1")
        let two = try world.container("two", address: "10.77.0.3", ipv6: "fd77::3", alias: "b2")
        let answer = try world.ferry(["setup", one.namespace.path], spec: one.spec)
        #expect(answer.stdout.contains(#""dns_server_ips":["10.77.0.1","fd77::1"]"#))
        try #require(world.ferry(["setup", two.namespace.path], spec: two.spec).status == 0)
        #expect(try world.networkFile().hasPrefix("10.77.0.1,fd77::1 127.0.0.2\n"))
        #expect(try world.networkFile().contains("two-0123456789 10.77.0.3 fd77::3 two,b2\n"))

        let overIPv6 = try world.lookup(from: one, "b2", type: "aaaa", server: "fd77::1")
        #expect(overIPv6.contains("Address: fd77::3"), "\(overIPv6)")
        #expect(try world.lookup(from: one, "two").contains("Address: 10.77.0.3"))

        try #require(world.ferry(["teardown", one.namespace.path], spec: one.spec).status == 0)
        try #require(world.ferry(["teardown", two.namespace.path], spec: two.spec).status == 0)
        #expect(world.aardvarkPID() == nil)
        #expect(!FileManager.default.fileExists(atPath: world.config + "/aardvark-dns"))
    }

    @Test func failingAardvarkLeavesNothingBehind() throws {
        let world = try DNSWorld(aardvark: Fixture.path("failing-aardvark.sh"))
        defer { world.cleanUp() }
        let one = try world.container("one", address: "10.77.0.2", alias: "alpha")

        let answer = try world.ferry(["setup", one.namespace.path], spec: one.spec)
        #expect(answer.status == 1)
        #expect(answer.stdout.hasPrefix(#"{"error":"#))
        #expect(answer.stdout.contains("aardvark-dns test double: cannot bind, port taken"))

        let hostLinks = try world.host.run(["ip", "-br", "link"])
        #expect(!hostLinks.contains("fydns0"))
        #expect(!hostLinks.contains("veth"))
        #expect(try !one.namespace.run(["ip", "-br", "link"]).contains("eth0"))
        #expect(!FileManager.default.fileExists(atPath: world.config + "/aardvark-dns"))
        let bridgeState = FileSystem.listDirectory(world.config + "/ferry-bridge")
        #expect(bridgeState.isEmpty, "left: \(bridgeState)")
    }
}

func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state != "Z" && state != "X"
}
