import Foundation
import Testing

/// Runs the built `ferry explain` in a child, with CONTAINERS_CONF on a temporary file.
@Suite struct ExplainBinaryTests {
    /// The `ferry` executable next to the test bundle, else under .build/debug.
    static func ferryBinary() throws -> String {
        let testExecutable = try FileManager.default.destinationOfSymbolicLink(
            atPath: "/proc/self/exe")
        var candidates = [(testExecutable as NSString).deletingLastPathComponent + "/ferry"]
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(package.path + "/.build/debug/ferry")
        guard let found = candidates.first(where: FileManager.default.isExecutableFile) else {
            throw ExplainTestError("ferry not built; looked at \(candidates)")
        }
        return found
    }

    struct ExplainTestError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    func run(_ arguments: [String], environment: [String: String], stdin: String = "")
        throws -> (status: Int32, stdout: Data)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.ferryBinary())
        process.arguments = arguments
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func defaultNetworkModeAndProvenance() throws {
        let tree = try ConfigTree()
        let file = try tree.write(
            "/ferry.conf",
            """
            [network]
            default_rootless_network_cmd = "pasta"
            pasta_options = ["-4", {append = true}]
            default_network = "mynet"
            """)
        let environment = ["CONTAINERS_CONF": file, "HOME": tree.root, "PATH": "/usr/bin:/bin"]
        let result = try run(
            ["--rootless", "true", "explain", "--format", "json", "--default"],
            environment: environment)
        #expect(result.status == 0)
        let answer = try json(result.stdout)

        #expect(answer["files_read"] as? [String] == [file])
        let networks = try #require(answer["networks"] as? [[String: Any]])
        #expect(networks.count == 1)
        #expect(networks.first?["name"] as? String == "mynet")
        #expect(networks.first?["mode"] as? String == "pasta")
        #expect((networks.first?["reason"] as? String)?.contains(file) == true)

        let values = try #require(answer["values"] as? [[String: Any]])
        let pasta = try #require(values.first { $0["key"] as? String == "network.pasta_options" })
        #expect(pasta["value"] as? [String] == ["-4"])
        #expect(pasta["sources"] as? [String] == ["built-in default", file])
        let backend = try #require(
            values.first { $0["key"] as? String == "network.network_backend" })
        #expect(backend["sources"] as? [String] == ["built-in default"])
    }

    /// A spec on stdin: each network gets its own decision; the explicit driver wins.
    @Test func specFromStdin() throws {
        let tree = try ConfigTree()
        let file = try tree.write("/ferry.conf", "[containers]\nnetns = \"bridge\"\n")
        let spec = """
            {"container_id": "c1", "container_name": "c1",
             "networks": {"a": {"interface_name": "eth0"}, "b": {"interface_name": "eth1"}},
             "network_info": {
               "a": {"name": "a", "id": "1", "driver": "pasta", "ipv6_enabled": false,
                     "internal": false, "dns_enabled": false},
               "b": {"name": "b", "id": "2", "driver": "auto", "ipv6_enabled": false,
                     "internal": false, "dns_enabled": false}}}
            """
        let result = try run(
            ["--rootless", "true", "explain", "--format=json"],
            environment: ["CONTAINERS_CONF": file, "HOME": tree.root], stdin: spec)
        #expect(result.status == 0)
        let networks = try #require(try json(result.stdout)["networks"] as? [[String: Any]])
        #expect(networks.map { $0["name"] as? String } == ["a", "b"])
        #expect(networks.map { $0["mode"] as? String } == ["pasta", "bridge"])

        // The same spec given with the global -f, stdin left empty.
        let specFile = try tree.write("/spec.json", spec)
        let fromFile = try run(
            ["--rootless", "true", "-f", specFile, "explain", "--format", "json"],
            environment: ["CONTAINERS_CONF": file, "HOME": tree.root])
        #expect(fromFile.status == 0)
        let fileNetworks = try #require(try json(fromFile.stdout)["networks"] as? [[String: Any]])
        #expect(fileNetworks.map { $0["mode"] as? String } == ["pasta", "bridge"])
    }

    @Test func errorsAnswerAsNetavarkDoes() throws {
        let tree = try ConfigTree()
        let file = try tree.write("/ferry.conf", "[network]\ndns_bind_port = \"x\"\n")
        let result = try run(
            ["explain", "--default"], environment: ["CONTAINERS_CONF": file, "HOME": tree.root])
        #expect(result.status == 1)
        let message = try #require(try json(result.stdout)["error"] as? String)
        #expect(message.hasPrefix("\(file): [network] dns_bind_port: expected an integer"))

        let usage = try run(["explain", "--format", "yaml"], environment: [:])
        #expect(usage.status == 2)
        #expect(usage.stdout.isEmpty)
    }
}
