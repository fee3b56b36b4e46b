import FerryAddress
import Foundation
import Testing

@testable import FerryDNS

/// Starting aardvark-dns without the real one: how failure is reported and cleaned up,
/// and how /proc's socket tables are read.
struct AardvarkStartTests {
    func scratchDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appending(path: "fy-dns-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func entry(_ network: String) -> Aardvark.NetworkEntry {
        Aardvark.NetworkEntry(
            network: network, bindAddresses: [IPAddress("10.89.7.1")!],
            upstreamServers: [IPAddress("192.0.2.53")!],
            entry: AardvarkEntry(
                containerID: "aaaa1111", addresses: [IPAddress("10.89.7.2")!], names: ["one"]))
    }

    @Test func failedStartCarriesTheMessageAndLeavesNoFile() throws {
        let state = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let aardvark = Aardvark(
            stateDirectory: state, binary: Fixture.path("failing-aardvark.sh"), port: 53)

        #expect {
            try aardvark.add([entry("net1")])
        } throws: { error in
            let text = "\(error)"
            return text.contains("exited with status 1")
                && text.contains("aardvark-dns test double: cannot bind, port taken")
        }
        #expect(!FileManager.default.fileExists(atPath: state + "/aardvark-dns"))
    }

    @Test func failedStartKeepsOtherNetworksFiles() throws {
        let state = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let aardvark = Aardvark(
            stateDirectory: state, binary: Fixture.path("failing-aardvark.sh"), port: 53)
        try FileManager.default.createDirectory(
            atPath: aardvark.directory, withIntermediateDirectories: true)
        let other = "10.90.0.1\nbbbb2222 10.90.0.2  two\n"
        try other.write(toFile: aardvark.directory + "/net2", atomically: true, encoding: .utf8)

        #expect(throws: AardvarkError.self) { try aardvark.add([entry("net1"), entry("net2")]) }
        #expect(aardvark.networkFiles() == ["net2"])
        #expect(try String(contentsOfFile: aardvark.directory + "/net2", encoding: .utf8) == other)
    }

    @Test func missingBinaryIsAStartFailure() throws {
        let state = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let aardvark = Aardvark(stateDirectory: state, binary: state + "/none", port: 53)
        #expect {
            try aardvark.add([entry("net1")])
        } throws: { error in
            "\(error)".contains("starting aardvark-dns")
        }
        #expect(!FileManager.default.fileExists(atPath: aardvark.directory))
    }

    @Test func procSocketAddressesDecode() throws {
        let v4 = try #require(ListeningSockets.parseLocal("0100630A:0035"))
        #expect(v4.address == IPAddress("10.99.0.1"))
        #expect(v4.port == 53)
        let v6 = try #require(
            ListeningSockets.parseLocal("0000ADFD000000000000000001000000:14E9"))
        #expect(v6.address == IPAddress("fdad::1"))
        #expect(v6.port == 5353)
        #expect(ListeningSockets.parseLocal("0100630A") == nil)
    }
}
