#if canImport(Glibc)
    import Glibc
#endif

/// Reads and writes /proc/sys keys, in the network namespace of the calling thread.
public enum Sysctl {
    /// The path of a key such as "net/ipv4/ip_forward".
    public static func path(_ key: String) -> String { "/proc/sys/" + key }

    public static func read(_ key: String) throws(SystemError) -> String {
        let text = try FileSystem.readString(path(key))
        return text.trimmingTrailingNewlines()
    }

    /// Writes the value only when it differs, so a read-only /proc with the right value
    /// already in place is fine. Returns whether it wrote.
    @discardableResult
    public static func set(_ key: String, _ value: String) throws(SystemError) -> Bool {
        if let current = try? read(key), current == value { return false }
        do {
            let descriptor = try FileDescriptor.open(path(key), O_WRONLY | O_TRUNC)
            try descriptor.writeAll(Array(value.utf8))
        } catch {
            throw SystemError("setting sysctl \(key) to \(value)", errno: error.errno)
        }
        return true
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var result = self
        while result.last == "\n" || result.last == " " { result.removeLast() }
        return result
    }
}
