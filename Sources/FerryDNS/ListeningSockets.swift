import FerryAddress
import FerrySystem
import Foundation

/// Which UDP sockets a process holds, read from /proc: how setup knows aardvark-dns is
/// answering on a gateway. /proc/net shows the namespace of the reading thread, which is
/// the one aardvark-dns was started in.
enum ListeningSockets {
    /// The inodes of the UDP sockets process `pid` holds bound to `address`:`port`.
    static func held(pid: Int32, address: IPAddress, port: UInt16) -> Set<UInt64> {
        let owned = socketInodes(ofProcess: pid)
        guard !owned.isEmpty else { return [] }
        let table = address.family == .ipv4 ? "/proc/net/udp" : "/proc/net/udp6"
        return owned.intersection(boundInodes(table: table, address: address, port: port))
    }

    /// The inodes of the sockets in /proc/PID/fd.
    static func socketInodes(ofProcess pid: Int32) -> Set<UInt64> {
        let directory = "/proc/\(pid)/fd"
        var inodes: Set<UInt64> = []
        for name in FileSystem.listDirectory(directory) {
            guard
                let target = try? FileManager.default.destinationOfSymbolicLink(
                    atPath: "\(directory)/\(name)"),
                target.hasPrefix("socket:["), target.hasSuffix("]")
            else { continue }
            if let inode = UInt64(target.dropFirst("socket:[".count).dropLast()) {
                inodes.insert(inode)
            }
        }
        return inodes
    }

    /// The inodes of the table's sockets whose local end is `address`:`port`.
    static func boundInodes(table: String, address: IPAddress, port: UInt16) -> Set<UInt64> {
        guard let text = try? FileSystem.readString(table) else { return [] }
        var inodes: Set<UInt64> = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9, let local = parseLocal(fields[1]),
                local.address == address, local.port == port,
                let inode = UInt64(fields[9])
            else { continue }
            inodes.insert(inode)
        }
        return inodes
    }

    /// "0100630A:0035" is 10.99.0.1 port 53: the kernel prints each 32-bit word of the
    /// address as a number in host byte order, and the port in hex.
    static func parseLocal(_ field: Substring) -> (address: IPAddress, port: UInt16)? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16),
            parts[0].count == 8 || parts[0].count == 32
        else { return nil }
        var bytes: [UInt8] = []
        var rest = parts[0]
        while !rest.isEmpty {
            guard let word = UInt32(rest.prefix(8), radix: 16) else { return nil }
            let memoryOrder = word.littleEndian
            bytes += (0..<4).map { UInt8(truncatingIfNeeded: memoryOrder >> (8 * $0)) }
            rest = rest.dropFirst(8)
        }
        guard let address = IPAddress(bytes: bytes) else { return nil }
        return (address, port)
    }
}
