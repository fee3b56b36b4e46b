import FerrySystem

/// The host end of each container's veth, kept under the state directory, so a teardown
/// from another process can remove it even when the container's namespace is gone.
struct BridgeState {
    let stateDirectory: String

    private var directory: String { stateDirectory + "/ferry-bridge" }

    private func path(containerID: String, network: String) -> String {
        "\(directory)/\(containerID)_\(network)"
    }

    func save(containerID: String, network: String, hostVeth: String) throws {
        try withContext("saving bridge state in \(directory)") {
            try FileSystem.makeDirectories(directory)
            try FileSystem.writeAtomically(
                path(containerID: containerID, network: network), hostVeth + "\n")
        }
    }

    /// The host veth's name, when a setup recorded one.
    func hostVeth(containerID: String, network: String) -> String? {
        guard
            let text = try? FileSystem.readString(path(containerID: containerID, network: network))
        else { return nil }
        let name = text.split(separator: "\n").first.map(String.init) ?? ""
        return name.isEmpty ? nil : name
    }

    func remove(containerID: String, network: String) {
        try? FileSystem.remove(path(containerID: containerID, network: network))
    }
}
