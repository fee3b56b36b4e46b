import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// Whether Ferry runs rootless, and why it thinks so.
public struct RootlessStatus: Sendable, Equatable {
    public var isRootless: Bool
    /// One line for explanations: "--rootless true", "effective uid 1000", ...
    public var reason: String

    public init(isRootless: Bool, reason: String) {
        self.isRootless = isRootless
        self.reason = reason
    }
}

/// What the process may do to the host's network: the facts rootlessness is decided from.
public struct HostPrivilege: Sendable, Equatable {
    public var effectiveUID: UInt32
    /// CAP_NET_ADMIN is in the effective set.
    public var hasNetAdmin: Bool
    /// The process is in the initial user namespace, which owns the host's network
    /// namespace; CAP_NET_ADMIN in any other user namespace does not reach the host.
    public var inInitialUserNamespace: Bool

    public init(effectiveUID: UInt32, hasNetAdmin: Bool, inInitialUserNamespace: Bool) {
        self.effectiveUID = effectiveUID
        self.hasNetAdmin = hasNetAdmin
        self.inInitialUserNamespace = inInitialUserNamespace
    }

    /// CAP_NET_ADMIN's bit in the capability sets (linux/capability.h).
    static let capNetAdmin: UInt64 = 12

    /// The facts for this process, from /proc/self/status and /proc/self/uid_map.
    /// A file that cannot be read counts as "no privilege".
    public static func current() -> HostPrivilege {
        let status = (try? FileSystem.readString("/proc/self/status")) ?? ""
        let uidMap = (try? FileSystem.readString("/proc/self/uid_map")) ?? ""
        return parse(effectiveUID: geteuid(), procStatus: status, uidMap: uidMap)
    }

    /// The facts from the texts of /proc/self/status and /proc/self/uid_map.
    public static func parse(effectiveUID: UInt32, procStatus: String, uidMap: String)
        -> HostPrivilege
    {
        var effective: UInt64 = 0
        for line in procStatus.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).trimmingCharacters(in: " \t")
            effective = UInt64(hex, radix: 16) ?? 0
        }
        // The initial user namespace maps every uid to itself: "0 0 4294967295".
        let mapLines = uidMap.split(separator: "\n").map {
            $0.split(whereSeparator: { $0 == " " || $0 == "\t" })
        }
        let initial = mapLines.count == 1 && mapLines[0] == ["0", "0", "4294967295"]
        return HostPrivilege(
            effectiveUID: effectiveUID,
            hasNetAdmin: effective & (1 << capNetAdmin) != 0,
            inInitialUserNamespace: initial)
    }

    /// Rootless = `--rootless true`, or a non-zero effective uid, or no CAP_NET_ADMIN over
    /// the host's network namespace. `--rootless false` cannot make an unprivileged process
    /// rootful.
    public func rootless(flag: Bool?) -> RootlessStatus {
        if flag == true { return RootlessStatus(isRootless: true, reason: "--rootless true") }
        if effectiveUID != 0 {
            return RootlessStatus(isRootless: true, reason: "effective uid \(effectiveUID)")
        }
        if !hasNetAdmin {
            return RootlessStatus(isRootless: true, reason: "no CAP_NET_ADMIN")
        }
        if !inInitialUserNamespace {
            return RootlessStatus(
                isRootless: true,
                reason: "CAP_NET_ADMIN only inside a user namespace, not over the host's network")
        }
        let why = flag == false ? "--rootless false, " : ""
        return RootlessStatus(
            isRootless: false,
            reason: why + "uid 0 with CAP_NET_ADMIN in the initial user namespace")
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
