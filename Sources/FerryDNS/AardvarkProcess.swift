import FerrySystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The running aardvark-dns of one config directory, found through its pid file.
///
/// aardvark-dns daemonises: the process Ferry starts forks, the child writes
/// `aardvark.pid` and serves, and the parent exits once the child is up. A pid is only
/// trusted when /proc shows a live process whose command line names this directory, so a
/// stale file never makes Ferry signal a stranger that reused the pid.
struct AardvarkProcess {
    let directory: String

    var pidFile: String { directory + "/aardvark.pid" }

    /// The live aardvark-dns serving this directory, or nil.
    func runningPID() -> Int32? {
        guard let text = try? FileSystem.readString(pidFile),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        return Self.isAlive(pid) && servesDirectory(pid) ? pid : nil
    }

    /// Alive and not a zombie waiting for its parent.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? FileSystem.readString("/proc/\(pid)/stat"),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    private func servesDirectory(_ pid: Int32) -> Bool {
        guard let cmdline = try? FileSystem.readString("/proc/\(pid)/cmdline") else {
            return false
        }
        return cmdline.split(separator: "\0").contains { $0 == directory }
    }

    /// Sends `signal` to the running aardvark-dns; false when none is running.
    func send(_ signal: Int32) throws(SystemError) -> Bool {
        guard let pid = runningPID() else { return false }
        if kill(pid, signal) != 0 {
            if errno == ESRCH { return false }
            throw SystemError.lastError("sending signal \(signal) to aardvark-dns (pid \(pid))")
        }
        return true
    }

    /// Waits until no aardvark-dns serves the directory; false when one still does.
    func waitForExit(deadline: Date) -> Bool {
        while runningPID() != nil {
            if Date() >= deadline { return false }
            usleep(10_000)
        }
        return true
    }

    /// Stops it: SIGTERM, then SIGKILL if it outlives the deadline. The pid file goes.
    func stop(deadline: Date) {
        if (try? send(SIGTERM)) == true, !waitForExit(deadline: deadline) {
            _ = try? send(SIGKILL)
            _ = waitForExit(deadline: Date().addingTimeInterval(1))
        }
        try? FileSystem.remove(pidFile)
    }
}
