import FerrySystem
import Foundation

/// A rootless container's namespaces as Podman makes them: the unprivileged test user
/// creates a user namespace (0 mapped to itself, 1-65535 to its subordinate ids, through
/// newuidmap and newgidmap) and a network namespace owned by it, held by a `sleep`.
///
/// The holder is the process itself (`setpriv` and `unshare` exec without forking), so
/// `/proc/PID/ns/net` and `/proc/PID/ns/user` name the container's namespaces.
public final class RootlessContainer: @unchecked Sendable {
    public let pid: pid_t
    private let process: Process

    public var netnsPath: String { "/proc/\(pid)/ns/net" }
    public var usernsPath: String { "/proc/\(pid)/ns/user" }

    /// Starts the holder as `user` and waits until it sits in its new namespaces.
    public init(user: TestMachine.User) throws {
        process = Process()
        process.executableURL = URL(filePath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=\(user.uid)", "--regid=\(user.gid)", "--init-groups",
            "unshare", "--user", "--map-auto", "--map-root-user", "--net",
            "sleep", "infinity",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        pid = process.processIdentifier
        try waitUntilReady()
    }

    /// The holder has exec'd `sleep` once the maps are written and the namespaces exist.
    private func waitUntilReady() throws {
        for _ in 0..<200 {
            let command = (try? FileSystem.readString("/proc/\(pid)/comm")) ?? ""
            if command.hasPrefix("sleep") { return }
            if !process.isRunning {
                throw MessageError(
                    "rootless container: unshare exited (\(process.terminationStatus))")
            }
            usleep(10_000)
        }
        throw MessageError("rootless container: the holder did not start within 2 s")
    }

    /// Runs a command in the container's network namespace (from the host's user namespace,
    /// as root: `nsenter --target PID --net`).
    @discardableResult
    public func exec(_ arguments: [String]) throws -> CommandResult {
        try Command.run(["nsenter", "--target", "\(pid)", "--net"] + arguments)
    }

    /// `ip -j OBJECT show` in the container, parsed.
    public func ipJSON(_ object: String) throws -> [[String: Any]] {
        let result = try exec(["ip", "-j", object, "show"])
        guard result.succeeded else {
            throw MessageError("ip -j \(object) show in container: \(result.stderr)")
        }
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return parsed as? [[String: Any]] ?? []
    }

    public var isRunning: Bool { process.isRunning }

    /// Kills the holder and reaps it; the namespaces go with it unless something holds them.
    public func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
