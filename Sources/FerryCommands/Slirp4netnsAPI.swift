import FerrySystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// slirp4netns's API socket (`--api-socket PATH`): one JSON request per connection, the
/// answer read until slirp4netns closes it. Answers come as {"return": {...}}, except
/// `list_hostfwd`'s, which is {"entries": [...]} with no wrapper; errors come as
/// {"error": {"desc": "..."}}.
struct Slirp4netnsAPI {
    let socketPath: String

    /// One forwarding rule as `list_hostfwd` shows it.
    struct HostForward: Equatable {
        var id: Int
        var proto: String
        var hostAddress: String
        var hostPort: Int
        var guestAddress: String
        var guestPort: Int
    }

    /// sun_path's size, the longest socket path plus its terminating zero.
    static let maximumPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    /// add_hostfwd; returns the rule's id.
    func addHostForward(
        proto: String, hostAddress: String, hostPort: Int, guestAddress: String, guestPort: Int
    ) throws -> Int {
        let answer = try request([
            "execute": "add_hostfwd",
            "arguments": [
                "proto": proto, "host_addr": hostAddress, "host_port": hostPort,
                "guest_addr": guestAddress, "guest_port": guestPort,
            ],
        ])
        guard let result = answer["return"] as? [String: Any], let id = result["id"] as? Int
        else { throw MessageError("slirp4netns API: add_hostfwd gave no id: \(answer)") }
        return id
    }

    func listHostForwards() throws -> [HostForward] {
        let answer = try request(["execute": "list_hostfwd"])
        guard let entries = answer["entries"] as? [[String: Any]] else {
            throw MessageError("slirp4netns API: list_hostfwd gave no entries: \(answer)")
        }
        return entries.map { entry in
            HostForward(
                id: entry["id"] as? Int ?? -1, proto: entry["proto"] as? String ?? "",
                hostAddress: entry["host_addr"] as? String ?? "",
                hostPort: entry["host_port"] as? Int ?? 0,
                guestAddress: entry["guest_addr"] as? String ?? "",
                guestPort: entry["guest_port"] as? Int ?? 0)
        }
    }

    func removeHostForward(id: Int) throws {
        _ = try request(["execute": "remove_hostfwd", "arguments": ["id": id]])
    }

    /// Sends one request and returns the decoded answer; an {"error": ...} answer throws.
    func request(_ body: [String: Any]) throws -> [String: Any] {
        let command = body["execute"] as? String ?? "?"
        let socket = try connect()
        try socket.writeAll(Array(try JSONSerialization.data(withJSONObject: body)))
        shutdown(socket.rawValue, Int32(SHUT_WR))
        let bytes = try socket.readAll()
        guard let answer = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else {
            throw MessageError(
                "slirp4netns API: \(command): answer is not JSON:"
                    + " \(String(decoding: bytes, as: UTF8.self))")
        }
        if let error = answer["error"] {
            let description = (error as? [String: Any])?["desc"] as? String ?? "\(error)"
            throw MessageError("slirp4netns API: \(command): \(description)")
        }
        return answer
    }

    private func connect() throws -> FileDescriptor {
        let path = Array(socketPath.utf8)
        guard path.count < Self.maximumPathBytes else {
            throw MessageError(
                "slirp4netns API socket \(socketPath): longer than \(Self.maximumPathBytes - 1)"
                    + " bytes")
        }
        let raw = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        if raw < 0 { throw SystemError.lastError("creating a socket for \(socketPath)") }
        let socket = FileDescriptor(taking: raw)

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path)
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(raw, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if connected != 0 { throw SystemError.lastError("connecting to \(socketPath)") }
        return socket
    }
}
