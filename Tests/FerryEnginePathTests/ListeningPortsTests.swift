import FerrySystem
import FerryTestSupport
import Testing

@testable import FerryEngine

#if canImport(Glibc)
    import Glibc
#endif

/// /proc/net/tcp and tcp6 as the kernel prints them (Fixtures/proc-net-tcp, -tcp6; every
/// port is 0x1F90 + n, 8080 + n, but 53 on 127.0.0.1): which ports count on which side.
struct ListeningPortsTests {
    static let fixtures = TestPaths.packageRoot.appending(
        path: "Tests/FerryEnginePathTests/Fixtures")

    /// The ports of one fixture in `state` and `scope`, read through a buffer of
    /// `bufferSize` bytes (small sizes make lines straddle reads).
    func ports(
        _ name: String, _ scope: ListeningPorts.Scope, state: UInt8 = ListeningPorts.tcpListen,
        bufferSize: Int = 4096
    ) throws -> [UInt16] {
        let fd = open(Self.fixtures.appending(path: name).path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        let found = PortBitmap()
        #expect(ListeningPorts.scan(fd, state: state, scope: scope, into: found, buffer: buffer))
        var result: [UInt16] = []
        found.forEach(notIn: PortBitmap()) { result.append($0) }
        return result
    }

    @Test func ipv4ListenersBySide() throws {
        // 127.0.0.1:53, 0.0.0.0:8080, 192.0.2.10:8081; 8082 is a connection, 8087 UDP-like.
        #expect(try ports("proc-net-tcp", .beyondLoopback) == [8080, 8081])
        #expect(try ports("proc-net-tcp", .onLoopback) == [53, 8080])
        #expect(
            try ports("proc-net-tcp", .onLoopback, state: ListeningPorts.udpUnconnected) == [8087])
    }

    @Test func ipv6ListenersBySide() throws {
        // ::1, ::, ::ffff:127.0.0.1, 2001:db8::10; 8088 is a connection.
        #expect(try ports("proc-net-tcp6", .beyondLoopback) == [8084, 8086])
        #expect(try ports("proc-net-tcp6", .onLoopback) == [8083, 8084, 8085])
    }

    /// Lines cut by reads are put together; one longer than the whole buffer is dropped
    /// (the fixtures' lines are 96 to 175 bytes; the engine's buffer is 64 KiB).
    @Test func linesStraddlingReads() throws {
        for size in [200, 333, 1000] {
            #expect(
                try ports("proc-net-tcp6", .onLoopback, bufferSize: size) == [8083, 8084, 8085])
            #expect(try ports("proc-net-tcp", .onLoopback, bufferSize: size) == [53, 8080])
        }
        #expect(try ports("proc-net-tcp6", .onLoopback, bufferSize: 160).isEmpty)
        #expect(try ports("proc-net-tcp", .onLoopback, bufferSize: 160) == [53, 8080])
    }

    @Test func rereadFromTheStart() throws {
        let fd = open(Self.fixtures.appending(path: "proc-net-tcp").path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { buffer.deallocate() }
        let found = PortBitmap()
        for _ in 0..<2 {
            found.removeAll()
            #expect(
                ListeningPorts.scan(
                    fd, state: ListeningPorts.tcpListen, scope: .onLoopback, into: found,
                    buffer: buffer))
            #expect(found.contains(53) && found.contains(8080) && !found.contains(8081))
        }
    }
}
