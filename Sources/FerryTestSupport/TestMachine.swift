import FerrySystem
import Foundation

/// The machine-wide state the engine tests need, set up on first use and restored when the
/// last test process that used it exits:
///
/// - a system user `ferrytest` with subordinate ids in /etc/subuid and /etc/subgid,
/// - /dev/net/tun with mode 666 (as distributions ship it).
///
/// Several test processes (parallel `swift test` runs in other worktrees) may share it, so
/// the holders are counted in /run/ferry-test-machine/holders under a lock, and what the
/// machine looked like before the first holder is kept in `saved` until the last one
/// restores it. A process that died without restoring is dropped from the holders by the
/// next one that takes the lock; `FERRY_TEST_MACHINE=restore` through
/// `TestMachine.restoreIfUnused()` cleans up after a crashed run.
public enum TestMachine {
    public static let userName = "ferrytest"
    public static let subordinateCount = 65536
    static let directory = "/run/ferry-test-machine"
    static let tunPath = "/dev/net/tun"

    /// The test user, as the tests need it.
    public struct User: Sendable {
        public let name: String
        public let uid: uid_t
        public let gid: gid_t
        /// The first subordinate id in /etc/subuid and /etc/subgid.
        public let subordinateStart: Int
    }

    /// Prepares the machine once per process and registers the restore at exit.
    public static func prepare() throws -> User {
        try prepared.get()
    }

    private static let prepared: Result<User, any Error> = Result {
        let user = try acquire()
        atexit { TestMachine.release() }
        return user
    }

    /// What the machine looked like before the first holder changed it.
    struct Saved: Codable {
        var tunMode: UInt32
        var createdUser: Bool
        var subuidLine: String?
        var subgidLine: String?
    }

    static func acquire() throws -> User {
        try withHolders { holders in
            if holders.isEmpty { try apply() }
            holders.insert(getpid())
        }
        guard let entry = getpwnam(userName) else {
            throw MessageError("test machine: user \(userName) is missing after setup")
        }
        let start = try subordinateStart(in: "/etc/subuid") ?? 0
        return User(
            name: userName, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid,
            subordinateStart: start)
    }

    /// Drops this process from the holders; the last one restores the machine.
    static func release() {
        do {
            try withHolders { holders in
                holders.remove(getpid())
                if holders.isEmpty { try restore() }
            }
        } catch {
            writeStandardError("test machine: restoring: \(error)\n")
        }
    }

    /// Restores the machine when no live process holds it; for cleaning up after a crash.
    public static func restoreIfUnused() throws {
        try withHolders { holders in
            if holders.isEmpty { try restore() }
        }
    }

    /// Runs `body` on the set of live holders under the lock, then writes the set back.
    private static func withHolders(_ body: (inout Set<pid_t>) throws -> Void) throws {
        try FileSystem.makeDirectories(directory, mode: 0o700)
        let lock = try FileLock(path: directory + "/lock")
        defer { lock.unlock() }
        let path = directory + "/holders"
        let text = (try? FileSystem.readString(path)) ?? ""
        var holders = Set(text.split(separator: "\n").compactMap { pid_t($0) })
        holders = holders.filter { kill($0, 0) == 0 || errno == EPERM }
        try body(&holders)
        let lines = holders.sorted().map { "\($0)\n" }.joined()
        try FileSystem.writeAtomically(path, lines)
    }

    private static func apply() throws {
        // Keep the first record: a crashed run leaves the machine as it found it in there.
        let savedPath = directory + "/saved"
        var saved: Saved
        if let data = FileManager.default.contents(atPath: savedPath) {
            saved = try JSONDecoder().decode(Saved.self, from: data)
        } else {
            saved = Saved(
                tunMode: try fileMode(tunPath), createdUser: getpwnam(userName) == nil)
            try FileSystem.writeAtomically(
                savedPath, String(decoding: try JSONEncoder().encode(saved), as: UTF8.self))
        }

        // chmod 666 /dev/net/tun
        if chmod(tunPath, 0o666) != 0 {
            throw SystemError.lastError("test machine: chmod 666 \(tunPath)")
        }

        // useradd --system ferrytest
        if getpwnam(userName) == nil {
            try must([
                "useradd", "--system", "--user-group", "--no-create-home",
                "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", userName,
            ])
        }

        // ferrytest:START:65536 in /etc/subuid and /etc/subgid
        for file in ["/etc/subuid", "/etc/subgid"] where try subordinateStart(in: file) == nil {
            let line = "\(userName):\(try freeSubordinateStart(in: file)):\(subordinateCount)"
            try appendLine(line, to: file)
            if file == "/etc/subuid" { saved.subuidLine = line } else { saved.subgidLine = line }
        }
        try FileSystem.writeAtomically(
            savedPath, String(decoding: try JSONEncoder().encode(saved), as: UTF8.self))
    }

    private static func restore() throws {
        let savedPath = directory + "/saved"
        guard let data = FileManager.default.contents(atPath: savedPath) else { return }
        let saved = try JSONDecoder().decode(Saved.self, from: data)
        var failures: [String] = []
        if chmod(tunPath, mode_t(saved.tunMode)) != 0 {
            failures.append("\(SystemError.lastError("chmod \(tunPath)"))")
        }
        for (file, line) in [("/etc/subuid", saved.subuidLine), ("/etc/subgid", saved.subgidLine)] {
            guard let line else { continue }
            do { try removeLine(line, from: file) } catch { failures.append("\(error)") }
        }
        if saved.createdUser, getpwnam(userName) != nil {
            do { try must(["userdel", userName]) } catch { failures.append("\(error)") }
        }
        try FileSystem.remove(savedPath)
        if !failures.isEmpty {
            throw MessageError(failures.joined(separator: "; "))
        }
    }

    static func fileMode(_ path: String) throws -> UInt32 {
        var info = stat()
        if stat(path, &info) != 0 { throw SystemError.lastError("test machine: stat \(path)") }
        return UInt32(info.st_mode) & 0o7777
    }

    /// The start of the test user's range in a subordinate id file, nil when it has none.
    static func subordinateStart(in file: String) throws -> Int? {
        let text = (try? FileSystem.readString(file)) ?? ""
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":")
            if fields.count == 3, fields[0] == userName { return Int(fields[1]) }
        }
        return nil
    }

    /// A start at or above 1,000,000 that overlaps no range already in the file.
    static func freeSubordinateStart(in file: String) throws -> Int {
        let text = (try? FileSystem.readString(file)) ?? ""
        var start = 1_000_000
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":")
            guard fields.count == 3, let first = Int(fields[1]), let count = Int(fields[2])
            else { continue }
            start = max(start, first + count)
        }
        return start
    }

    static func appendLine(_ line: String, to file: String) throws {
        var text = (try? FileSystem.readString(file)) ?? ""
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        try FileSystem.writeAtomically(file, text + line + "\n")
    }

    static func removeLine(_ line: String, from file: String) throws {
        let text = (try? FileSystem.readString(file)) ?? ""
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0 != line }
        try FileSystem.writeAtomically(file, kept.joined(separator: "\n"))
    }

    @discardableResult
    static func must(_ arguments: [String]) throws -> String {
        let result = try Command.run(arguments)
        guard result.succeeded else {
            throw MessageError(
                "\(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }
}
