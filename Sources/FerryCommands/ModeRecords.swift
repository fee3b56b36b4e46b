import FerryPolicy
import FerrySystem

/// The mode setup gave each network of driver `auto`, one small file per container and
/// network under `<config>/modes/`. Teardown uses it instead of deciding again, so a
/// containers.conf changed in between (`netns = "bridge"` where it said pasta, say) still
/// tears down what setup made. Networks of an explicit driver need no record.
struct ModeRecords {
    let directory: String

    init(stateDirectory: String) {
        directory = stateDirectory + "/modes"
    }

    func path(containerID: String, network: String) -> String {
        "\(directory)/\(containerID)-\(network)"
    }

    func write(_ mode: NetworkMode, containerID: String, network: String) throws {
        try FileSystem.makeDirectories(directory)
        try FileSystem.writeAtomically(
            path(containerID: containerID, network: network), mode.rawValue + "\n")
    }

    /// The recorded mode; nil when there is none or it names no mode (teardown then
    /// decides as setup did).
    func read(containerID: String, network: String) -> NetworkMode? {
        let file = path(containerID: containerID, network: network)
        guard let text = try? FileSystem.readString(file) else { return nil }
        return NetworkMode(rawValue: text.trimmingCharacters(in: ["\n", " "]))
    }

    func remove(containerID: String, network: String) {
        try? FileSystem.remove(path(containerID: containerID, network: network))
    }
}
