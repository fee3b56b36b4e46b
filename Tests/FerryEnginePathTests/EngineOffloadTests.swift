import FerrySystem
import FerryTestSupport
import Foundation
import Testing

/// The tap's virtio-net header at MTU 1500: the container sees checksum and TSO offloads on
/// its tap and hands the engine TCP super-frames; the engine writes super-frames back for
/// the container's kernel to cut. 100 MiB each way, both families and a forwarded port,
/// checked by SHA-256; the tap's own counters show how large the frames were. The same
/// transfers when the container turns its offloads off (plain frames from the container
/// behind the header), and over a tap without the header at all. Root only, like the rest
/// of the lab.
@Suite(.enabled(if: TestPaths.isRoot, "making namespaces and taps needs root"), .serialized)
struct EngineOffloadTests {
    static let hundredMiB = 100 << 20

    /// Average bytes per frame each way on the container's tap0 during `body`.
    struct FrameSizes {
        var fromContainer = 0
        var toContainer = 0
    }

    func frameSizes(_ lab: EngineLab, during body: () throws -> Void) throws -> FrameSizes {
        func counters() throws -> [Int] {
            let names = ["tx_bytes", "tx_packets", "rx_bytes", "rx_packets"]
            return try names.map { name in
                let text = try lab.run(["cat", "/sys/class/net/tap0/statistics/\(name)"])
                return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            }
        }
        let before = try counters()
        try body()
        let after = try counters()
        let delta = zip(after, before).map { $0 - $1 }
        return FrameSizes(
            fromContainer: delta[0] / max(1, delta[1]), toContainer: delta[2] / max(1, delta[3]))
    }

    func offloads(_ lab: EngineLab, _ setting: String? = nil) throws -> String {
        try lab.run(
            ["python3", EngineLab.fixture("offloads.py"), "tap0"] + [setting].compactMap { $0 }
        )
        .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// 100 MiB up and down to the server beyond the engine, over IPv4 and IPv6.
    func transfers(_ lab: EngineLab) throws {
        try lab.start(
            in: lab.server,
            ["python3", EngineLab.fixture("tcp_server.py"), "any", "7200", "transfer"])
        for address in ["10.99.0.2", "fd99::2"] {
            let output = try lab.run([
                "python3", EngineLab.fixture("tcp_client.py"), address, "7200",
                "\(Self.hundredMiB)", "\(Self.hundredMiB)",
            ])
            #expect(output.hasPrefix("ok "), "\(address): \(output)")
        }
    }

    @Test func theTapOffloadsAndCarriesSuperFramesBothWays() throws {
        let lab = try EngineLab(mtu: 1500)
        #expect(try offloads(lab) == "tx-checksum on tso on")
        let sizes = try frameSizes(lab) { try transfers(lab) }
        // At MTU 1500 a plain frame is at most 1514 bytes; TSO and the engine's own
        // super-frames average several times that.
        #expect(sizes.fromContainer > 3000, "\(sizes.fromContainer) bytes per frame")
        #expect(sizes.toContainer > 3000, "\(sizes.toContainer) bytes per frame")
        #expect(lab.engineThreads == 1)
    }

    /// A forwarded port (`-t`): the connection the engine opens toward the container gets
    /// the same super-frames, 100 MiB each way from the host's loopback.
    @Test func aForwardedConnectionCarriesSuperFrames() throws {
        let lab = try EngineLab(["--tcp-forward", "7210"], mtu: 1500)
        try lab.start(
            in: lab.container,
            ["python3", EngineLab.fixture("tcp_server.py"), "any", "7210", "transfer"])
        let sizes = try frameSizes(lab) {
            let result = try lab.host.exec([
                "python3", EngineLab.fixture("tcp_client.py"), "127.0.0.1", "7210",
                "\(Self.hundredMiB)", "\(Self.hundredMiB)",
            ])
            #expect(result.stdout.hasPrefix("ok "), "\(result.stdout) \(result.stderr)")
        }
        #expect(sizes.fromContainer > 3000, "\(sizes.fromContainer) bytes per frame")
        #expect(sizes.toContainer > 3000, "\(sizes.toContainer) bytes per frame")
    }

    @Test func theContainerTurnsItsOffloadsOff() throws {
        let lab = try EngineLab(mtu: 1500)
        #expect(try offloads(lab, "off") == "tx-checksum off tso off")
        let sizes = try frameSizes(lab) { try transfers(lab) }
        #expect(sizes.fromContainer <= 1514, "\(sizes.fromContainer) bytes per frame")
        // Receiving super-frames does not depend on the container's transmit offloads.
        #expect(sizes.toContainer > 3000, "\(sizes.toContainer) bytes per frame")
        // A SYN with a full checksum still opens a connection, and the ping path works.
        try lab.run(["busybox", "ping", "-c", "1", "-W", "2", "10.99.0.2"])
        try lab.run(["busybox", "ping", "-c", "1", "-W", "2", "fd99::2"])
    }

    @Test func aTapWithoutTheHeaderCarriesPlainFrames() throws {
        let lab = try EngineLab(["--plain-tap"], mtu: 1500)
        #expect(try offloads(lab) == "tx-checksum off tso off")
        let sizes = try frameSizes(lab) { try transfers(lab) }
        #expect(sizes.fromContainer <= 1514, "\(sizes.fromContainer) bytes per frame")
        #expect(sizes.toContainer <= 1514, "\(sizes.toContainer) bytes per frame")
    }
}
