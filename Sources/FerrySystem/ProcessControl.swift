#if canImport(Glibc)
    import Glibc
#endif

/// Stopping a process Ferry started earlier, possibly from another call: an engine or
/// slirp4netns whose pid sits in a file under `--config`.
public enum ProcessControl {
    /// Whether `pid` exists and has not exited. A zombie has exited; so has a process whose
    /// stat cannot be read. (An exiting process's cmdline reads empty before it is a
    /// zombie, so identity checks on the command line must not stand in for this.)
    public static func isRunning(_ pid: pid_t) -> Bool {
        guard let status = try? FileSystem.readString("/proc/\(pid)/stat"),
            let close = status.lastIndex(of: ")"),
            status.index(close, offsetBy: 2) < status.endIndex
        else { return false }
        return status[status.index(close, offsetBy: 2)] != "Z"
    }

    /// SIGTERM, then SIGKILL if it is still running after `graceSeconds`; returns once it
    /// has exited. Reaps it when it is a child of this process (a setup undoing itself).
    public static func stop(_ pid: pid_t, graceSeconds: Int = 2) {
        kill(pid, SIGTERM)
        if waitUntilGone(pid, milliseconds: graceSeconds * 1000) { return }
        kill(pid, SIGKILL)
        _ = waitUntilGone(pid, milliseconds: 1000)
    }

    private static func waitUntilGone(_ pid: pid_t, milliseconds: Int) -> Bool {
        for _ in 0..<max(1, milliseconds / 10) {
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
            if !isRunning(pid) { return true }
            usleep(10_000)
        }
        return !isRunning(pid)
    }
}
