#if canImport(Glibc)
    import Glibc
#endif

/// Small file helpers built on the system calls, for state files and /proc.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// mkdir -p.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw SystemError.lastError("creating directory \(current)")
            }
        }
    }

    public static func readString(_ path: String) throws(SystemError) -> String {
        let descriptor = try FileDescriptor.open(path, O_RDONLY)
        return String(decoding: try descriptor.readAll(), as: UTF8.self)
    }

    /// Writes the file through a temporary name and rename(2), so readers never see half.
    public static func writeAtomically(_ path: String, _ contents: String) throws(SystemError) {
        let temporary = path + ".tmp.\(getpid())"
        do {
            let descriptor = try FileDescriptor.open(
                temporary, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
            try descriptor.writeAll(Array(contents.utf8))
            descriptor.close()
        }
        if rename(temporary, path) != 0 {
            let error = SystemError.lastError("renaming \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
    }

    /// Removes a file; a missing file is not an error.
    public static func remove(_ path: String) throws(SystemError) {
        if unlink(path) != 0 && errno != ENOENT {
            throw SystemError.lastError("removing \(path)")
        }
    }

    /// The names in a directory, without "." and "..", sorted; empty when it is missing.
    public static func listDirectory(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
