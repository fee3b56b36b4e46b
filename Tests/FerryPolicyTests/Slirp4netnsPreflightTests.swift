import FerryPolicy
import FerryTOML
import Foundation
import Testing

@Suite struct Slirp4netnsPreflightTests {
    let context = PreflightContext(rootless: rootless, environment: ["PATH": "/nonexistent"])
    let network = NetworkRequest(name: "n", driver: "slirp4netns")

    /// A script standing in for slirp4netns, exiting with `status` on --version.
    func fakeBinary(_ tree: ConfigTree, at path: String, status: Int) throws -> String {
        let file = try tree.write(
            path, "#!/bin/sh\necho \"slirp4netns version 9.9\"\nexit \(status)\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
        return file
    }

    @Test func networkCmdPathThatRuns() throws {
        let tree = try ConfigTree()
        let binary = try fakeBinary(tree, at: "/bin/fake-slirp", status: 0)
        var conf = ContainersConf()
        try conf.merge(document("engine", "network_cmd_path", .string(binary)), from: "a.conf")
        let answer = Slirp4netnsPreflight().check(network, config: conf, context: context)
        #expect(answer == .ready("\(binary) runs (slirp4netns version 9.9)"))
    }

    @Test func helperDirectoryBinaryThatFails() throws {
        let tree = try ConfigTree()
        let binary = try fakeBinary(tree, at: "/helpers/slirp4netns", status: 3)
        var conf = ContainersConf()
        try conf.merge(
            document("engine", "helper_binaries_dir", .array([.string(tree.root + "/helpers")])),
            from: "a.conf")
        let answer = Slirp4netnsPreflight().check(network, config: conf, context: context)
        #expect(answer == .cannotRun("\(binary) --version exited with status 3"))
    }

    @Test func missingBinary() throws {
        let tree = try ConfigTree()
        var conf = ContainersConf()
        try conf.merge(
            document("engine", "helper_binaries_dir", .array([.string(tree.root + "/empty")])),
            from: "a.conf")
        let answer = Slirp4netnsPreflight().check(network, config: conf, context: context)
        #expect(!answer.isReady)
        #expect(answer.detail.hasPrefix("slirp4netns not found"))
    }
}
