import FerryAddress
import FerryDNS
import Testing

/// The aardvark-dns network file: what netavark writes, line for line.
struct AardvarkFileTests {
    let web = AardvarkEntry(
        containerID: "aaaa1111",
        addresses: [IPAddress("fd00:89::2")!, IPAddress("10.89.7.2")!], names: ["one", "web"])
    let db = AardvarkEntry(
        containerID: "bbbb2222", addresses: [IPAddress("10.89.7.3")!],
        names: ["two", "db", "bbbb2222"],
        dnsServers: [IPAddress("192.0.2.1")!, IPAddress("2001:db8::1")!])

    func emptyFile() -> AardvarkNetworkFile {
        AardvarkNetworkFile(
            bindAddresses: [IPAddress("10.89.7.1")!, IPAddress("fd00:89::1")!],
            upstreamServers: [IPAddress("192.0.2.53")!])
    }

    @Test func ipv4OnlyLineKeepsTheEmptyIPv6Field() {
        #expect(db.line == "bbbb2222 10.89.7.3  two,db,bbbb2222 192.0.2.1,2001:db8::1")
        #expect(web.line == "aaaa1111 10.89.7.2 fd00:89::2 one,web")
    }

    @Test func lineRoundTrips() throws {
        #expect(AardvarkEntry(line: db.line) == db)
        #expect(AardvarkEntry(line: web.line) == web)
        #expect(AardvarkEntry(line: "only three fields") == nil)
        #expect(AardvarkEntry(line: "id 10.0.0.300  name") == nil)
    }

    @Test func addingTwoContainersGivesNetavarksFile() throws {
        var file = emptyFile()
        file.add(web)
        file.add(db)
        #expect(file.text == (try Fixture.text("two-containers.txt")))
        #expect(file.containerIDs == ["aaaa1111", "bbbb2222"])
    }

    @Test func addingAgainReplacesTheContainersLine() throws {
        var file = emptyFile()
        file.add(web)
        file.add(db)
        file.add(web)
        #expect(file.containerIDs == ["bbbb2222", "aaaa1111"])
        #expect(file.containerLines.count == 2)
    }

    @Test func removingMatchesTheWholeIDOnly() throws {
        var file = try AardvarkNetworkFile(
            text: try Fixture.text("two-containers.txt"), path: "two")
        // "bbbb2222" is also an alias of the other line and "aaaa" a prefix: neither counts.
        let prefix = file.remove(containerID: "aaaa")
        #expect(!prefix)
        let first = file.remove(containerID: "aaaa1111")
        #expect(first)
        #expect(file.text == (try Fixture.text("one-container.txt")))
        let last = file.remove(containerID: "bbbb2222")
        #expect(last)
        #expect(file.containerLines.isEmpty)
    }

    @Test func updatingUpstreamRewritesOnlyTheFirstLine() throws {
        var file = try AardvarkNetworkFile(
            text: try Fixture.text("two-containers.txt"), path: "two")
        file.upstreamServers = [IPAddress("192.0.2.54")!, IPAddress("192.0.2.55")!]
        #expect(file.text == (try Fixture.text("updated-upstream.txt")))
        file.upstreamServers = []
        #expect(file.text == (try Fixture.text("no-upstream.txt")))
    }

    @Test func parsesHeaderWithAndWithoutUpstream() throws {
        let plain = try AardvarkNetworkFile(text: try Fixture.text("no-upstream.txt"), path: "n")
        #expect(plain.bindAddresses == [IPAddress("10.89.7.1")!, IPAddress("fd00:89::1")!])
        #expect(plain.upstreamServers.isEmpty)
        let upstream = try AardvarkNetworkFile(
            text: try Fixture.text("two-containers.txt"), path: "n")
        #expect(upstream.upstreamServers == [IPAddress("192.0.2.53")!])
    }

    @Test func brokenHeaderIsRefused() {
        #expect(throws: AardvarkError.self) {
            try AardvarkNetworkFile(text: "10.0.0.1 1.1.1.1 extra\n", path: "bad")
        }
        #expect(throws: AardvarkError.self) {
            try AardvarkNetworkFile(text: "", path: "empty")
        }
    }

    @Test func portComesFromTheEnvironment() throws {
        #expect(try Aardvark.port(environment: [:]) == 53)
        #expect(try Aardvark.port(environment: ["NETAVARK_DNS_PORT": "5353"]) == 5353)
        #expect(throws: AardvarkError.invalidPort("dns")) {
            try Aardvark.port(environment: ["NETAVARK_DNS_PORT": "dns"])
        }
        #expect(throws: AardvarkError.invalidPort("0")) {
            try Aardvark.port(environment: ["NETAVARK_DNS_PORT": "0"])
        }
    }
}
