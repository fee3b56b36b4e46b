import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// slirp4netns can run when its binary is found and `slirp4netns --version` succeeds.
///
/// The binary is looked for as Podman does: `[engine] network_cmd_path` if set (and then
/// only there), else each of `[engine] helper_binaries_dir`, else PATH.
public struct Slirp4netnsPreflight: ModePreflight {
    public init() {}

    public func check(
        _ network: NetworkRequest, config: ContainersConf, context: PreflightContext
    ) -> PreflightAnswer {
        let binary: String
        switch Self.locate(config: config, environment: context.environment) {
        case .success(let path): binary = path
        case .failure(let error): return .cannotRun(error.description)
        }

        let result: CommandResult
        do {
            result = try Command.run([binary, "--version"], environment: context.environment)
        } catch {
            return .cannotRun("running \(binary) --version: \(error)")
        }
        guard result.succeeded else {
            let said = result.stderr.split(separator: "\n").first.map { ": \($0)" } ?? ""
            return .cannotRun("\(binary) --version exited with status \(result.status)\(said)")
        }
        let version = result.stdout.split(separator: "\n").first.map(String.init) ?? "?"
        return .ready("\(binary) runs (\(version))")
    }

    /// The slirp4netns binary to run, or why there is none.
    public static func locate(config: ContainersConf, environment: [String: String])
        -> Result<String, MessageError>
    {
        let configured = config.networkCmdPath
        if !configured.isEmpty {
            guard isExecutableFile(configured) else {
                return .failure(
                    MessageError(
                        "\(ConfigKey.networkCmdPath.displayName) = \"\(configured)\""
                            + " (from \(config.source(of: .networkCmdPath))):"
                            + " not an executable file"))
            }
            return .success(configured)
        }

        let helperDirectories = config.helperBinariesDir.map(expandBinDir)
        let pathDirectories = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in helperDirectories + pathDirectories where !directory.isEmpty {
            let candidate = directory + "/slirp4netns"
            if isExecutableFile(candidate) { return .success(candidate) }
        }
        return .failure(
            MessageError(
                "slirp4netns not found: looked in \(ConfigKey.helperBinariesDir.displayName)"
                    + " \(helperDirectories) and PATH"))
    }

    /// Podman's `$BINDIR` prefix means the directory of the running executable.
    private static func expandBinDir(_ directory: String) -> String {
        guard directory.hasPrefix("$BINDIR") else { return directory }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return "" }
        let executable = String(
            decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let binDirectory = String(executable[..<(executable.lastIndex(of: "/")!)])
        return binDirectory + directory.dropFirst("$BINDIR".count)
    }
}

private func isExecutableFile(_ path: String) -> Bool {
    var status = stat()
    guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return false }
    return access(path, X_OK) == 0
}
