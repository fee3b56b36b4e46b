import FerrySystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Slirp4netnsMode {
    /// Removes the port forwards through the API socket, stops slirp4netns through its pid
    /// file, and removes its files; a slirp4netns already gone is fine. Works from any
    /// process: nothing is needed but the files under `<config>/engines/`.
    func teardown(network: String, containerID: String) -> [any Error] {
        let files = files(containerID: containerID, network: network)
        defer { for path in files.all { try? FileSystem.remove(path) } }
        guard let text = try? FileSystem.readString(files.pid),
            let pid = pid_t(text.trimmingCharacters(in: ["\n", " "])),
            Self.isSlirp4netns(pid)
        else { return [] }

        // The forwards go with the process anyway; removing them first is what Podman's
        // API users expect, and a failure here only merits a warning.
        if FileSystem.exists(files.apiSocket) {
            let api = Slirp4netnsAPI(socketPath: files.apiSocket)
            do {
                for forward in try api.listHostForwards() {
                    try api.removeHostForward(id: forward.id)
                }
            } catch {
                Log.warning("slirp4netns", "network \(network): removing port forwards: \(error)")
            }
        }

        ProcessControl.stop(pid)
        return []
    }

    /// Whether `pid` is a live slirp4netns started by this mode (a reused pid is not).
    static func isSlirp4netns(_ pid: pid_t) -> Bool {
        guard ProcessControl.isRunning(pid),
            let commandLine = try? FileSystem.readString("/proc/\(pid)/cmdline")
        else { return false }
        // network_cmd_path may name it anything: its command line is what marks it.
        return commandLine.split(separator: "\0").contains("--netns-type=path")
    }
}
