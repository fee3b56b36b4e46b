import FerryAddress
import Testing

@testable import FerryEngine

#if canImport(Glibc)
    import Glibc
#endif

/// The flow table without sockets: descriptors are /dev/null opened per flow, so removal's
/// close is real and a leak would show as a failed open.
struct FlowTableTests {
    func key(_ port: Int) -> FlowKey {
        FlowKey(
            source: .v4(0x0A63_0001), sourcePort: UInt16(port), destination: .v6(0xFD99, 2),
            destinationPort: 53)
    }

    func descriptor() -> Int32 { open("/dev/null", O_RDONLY) }

    @Test func findsWhatWasInsertedAndForgetsWhatWasRemoved() {
        let table = FlowTable(capacity: 64)
        var indices: [Int: Int] = [:]
        for port in 0..<64 { indices[port] = table.insert(key(port), socket: descriptor(), now: 0) }
        #expect(table.isFull)
        for port in 0..<64 { #expect(table.find(key(port)) == indices[port]) }

        // Removing every third entry must not hide the others behind a hole in a probe run.
        for port in stride(from: 0, to: 64, by: 3) { table.remove(indices[port]!) }
        for port in 0..<64 {
            #expect((table.find(key(port)) != nil) == (port % 3 != 0), "port \(port)")
        }
        #expect(table.count == 64 - 22)
    }

    @Test func theOldestIdleFlowIsEvictedAndIdleOnesExpire() {
        let table = FlowTable(capacity: 3)
        let first = table.insert(key(1), socket: descriptor(), now: 10)
        let second = table.insert(key(2), socket: descriptor(), now: 11)
        _ = table.insert(key(3), socket: descriptor(), now: 12)

        // Using the first flow again makes the second the one idle longest.
        table.touch(first, now: 13)
        #expect(table.oldestIndex == second)

        #expect(table.expire(now: 19, idle: 8) == 1)  // flow 2, last used at 11
        #expect(table.find(key(2)) == nil)
        #expect(table.expire(now: 30, idle: 8) == 2)
        #expect(table.count == 0 && table.oldestIndex == nil)
    }

    @Test func churnThroughAFullTableKeepsTheIndexConsistent() {
        let table = FlowTable(capacity: 128)
        var live: [Int] = []
        for port in 0..<20_000 {
            if table.isFull, let oldest = table.oldestIndex {
                let evicted = table[oldest].key.sourcePort
                table.remove(oldest)
                live.removeAll { $0 == Int(evicted) }
            }
            _ = table.insert(key(port % 65536), socket: descriptor(), now: UInt64(port))
            live.append(port % 65536)
        }
        #expect(table.count == 128)
        #expect(live == Array(20_000 - 128..<20_000))
        for port in live { #expect(table.find(key(port)) != nil) }
        #expect(table.find(key(20_000 - 129)) == nil)
    }
}
