import CFerryShim
import FerryAddress
import FerryNetlink
import FerrySystem
import Foundation

/// Ferry's internal steps for slirp4netns mode, each run in a fresh single-threaded child
/// that a constructor moved into the container's namespaces before main (see
/// FERRY_ENTER_NAMESPACES in CFerryShim):
///
/// - `ferry __slirp4netns-exec BINARY ARGS...`: inside the user namespace only (or, with
///   none to join, in a mount namespace of its own made rslave), execs slirp4netns, which
///   keeps the pid, the descriptors and the session.
/// - `ferry __slirp4netns-inspect TAP WAIT_MS`: inside the user and network namespaces,
///   reads the tap's MAC and, waiting up to WAIT_MS for slirp4netns's router advertisement
///   and duplicate address detection, its global IPv6 addresses; writes them as JSON to
///   descriptor 3, or "error: MESSAGE".
enum Slirp4netnsHelpers {
    static let execCommand = "__slirp4netns-exec"
    static let inspectCommand = "__slirp4netns-inspect"
    static let answerDescriptor: Int32 = 3

    /// What the inspect step found.
    struct Inspection: Codable, Equatable {
        var mac: String
        var ipv6: [String]
    }

    /// The exit code when argv names one of these steps; nil otherwise.
    static func route(_ arguments: [String]) -> Int32? {
        switch arguments.first {
        case execCommand: return exec(Array(arguments.dropFirst()))
        case inspectCommand: return inspect(Array(arguments.dropFirst()))
        default: return nil
        }
    }

    /// The namespace join's failure, if the constructor had one.
    private static func enterError() -> SystemError? {
        var which: UnsafePointer<CChar>?
        let code = ferry_pasta_enter_error(&which)
        guard code != 0 else { return nil }
        let name = which.map { String(cString: $0) } ?? "?"
        return SystemError("joining the container's \(name) namespace", errno: code)
    }

    private static func exec(_ arguments: [String]) -> Int32 {
        guard let binary = arguments.first else {
            writeStandardError("ferry \(execCommand): no program given\n")
            return 127
        }
        if let error = enterError() {
            writeStandardError("ferry: starting \(binary): \(error)\n")
            return 127
        }
        let mountError = ferry_slave_mounts_error()
        if mountError != 0 {
            let error = SystemError("making a mount namespace of its own", errno: mountError)
            writeStandardError("ferry: starting \(binary): \(error)\n")
            return 127
        }
        let argv = arguments.map { strdup($0) } + [nil]
        execv(binary, argv)
        let error = SystemError.lastError("starting \(binary)")
        writeStandardError("ferry: \(error)\n")
        return 127
    }

    private static func inspect(_ arguments: [String]) -> Int32 {
        let answer: String
        do {
            guard arguments.count == 2, let waitMilliseconds = Int(arguments[1]) else {
                throw MessageError("expected TAP WAIT_MS")
            }
            if let error = enterError() { throw error }
            let inspection = try inspect(tap: arguments[0], waitMilliseconds: waitMilliseconds)
            answer = String(decoding: try JSONEncoder().encode(inspection), as: UTF8.self)
        } catch {
            answer = "error: \(error)"
        }
        let descriptor = FileDescriptor(taking: answerDescriptor)
        try? descriptor.writeAll(Array(answer.utf8))
        return answer.hasPrefix("error: ") ? 1 : 0
    }

    private static func inspect(tap: String, waitMilliseconds: Int) throws -> Inspection {
        // ip link show dev TAP
        let socket = try NetlinkSocket()
        guard let link = try socket.linkGet(name: tap), let mac = link.mac else {
            throw MessageError("no interface \(tap) with a MAC address in the namespace")
        }

        // ip -6 addr show dev TAP scope global -tentative, until one is there
        var addresses: [String] = []
        for attempt in 0...(waitMilliseconds / 50) {
            addresses = globalIPv6(of: tap)
            if !addresses.isEmpty || waitMilliseconds == 0 { break }
            if attempt < waitMilliseconds / 50 { usleep(50_000) }
        }
        return Inspection(mac: "\(mac)", ipv6: addresses)
    }

    /// The interface's global, settled IPv6 addresses, from /proc/net/if_inet6 (which
    /// shows this thread's network namespace): "ADDRESS IFINDEX PREFIX SCOPE FLAGS NAME".
    static func globalIPv6(of interface: String, table: String? = nil) -> [String] {
        let text = table ?? (try? FileSystem.readString("/proc/net/if_inet6")) ?? ""
        let tentative: UInt32 = 0x40  // IFA_F_TENTATIVE
        let failed: UInt32 = 0x08  // IFA_F_DADFAILED
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 6, fields[5] == interface, fields[3] == "00",
                let prefix = Int(fields[2], radix: 16),
                let flags = UInt32(fields[4], radix: 16), flags & (tentative | failed) == 0,
                fields[0].count == 32
            else { return nil }
            let hex = Array(fields[0])
            let bytes = stride(from: 0, to: 32, by: 2).compactMap {
                UInt8(String(hex[$0..<($0 + 2)]), radix: 16)
            }
            guard let address = IPAddress(bytes: bytes) else { return nil }
            return "\(address)/\(prefix)"
        }
    }
}
