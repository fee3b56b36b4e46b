import Foundation

/// TCP checks between namespaces of a lab: an echo server in one namespace, a client in
/// another, one line there and its echo back. Only addresses inside the lab are used.
enum Traffic {
    static let python =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        ? "/usr/bin/python3" : "python3"

    /// Sends a line from a client in `clientNamespace` to `address`:`port`, served from
    /// `serverNamespace`, and returns the answer ("echo <line>" when the path works).
    static func exchange(
        from clientNamespace: String, to serverNamespace: String, address: String,
        port: Int = 7777
    ) throws -> String {
        let script = TestEnvironment.echoScript
        let server = try Child(
            ["ip", "netns", "exec", serverNamespace, python, script, "serve", address, "\(port)"],
            timeout: 15)
        let message = "hello-\(address)"
        let client = try Child(
            [
                "ip", "netns", "exec", clientNamespace, python, script, "send", address,
                "\(port)", message,
            ], timeout: 15)
        let sent = client.wait()
        if sent.status != 0 { server.terminate() }
        let served = server.wait()
        guard sent.status == 0, served.status == 0 else {
            throw LabError(
                "no echo from \(address) (\(serverNamespace)) to \(clientNamespace): "
                    + "client exited \(sent.status): \(sent.stderr.suffix(300)); "
                    + "server exited \(served.status): \(served.stderr.suffix(300))")
        }
        return sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// True when a line sent from the client namespace comes back from the server address.
    static func echoes(
        from clientNamespace: String, to serverNamespace: String, address: String
    ) throws -> Bool {
        let answer = try exchange(from: clientNamespace, to: serverNamespace, address: address)
        return answer == "echo hello-\(address)"
    }
}
