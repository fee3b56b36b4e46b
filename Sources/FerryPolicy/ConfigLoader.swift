import FerrySystem
import FerryTOML

#if canImport(Glibc)
    import Glibc
#endif

/// Finds and reads the containers.conf files in Podman's order and merges them.
///
/// The order, checked against containers/common's `pkg/config/new.go` as moved to
/// containers/container-libs (`common/pkg/config/new.go`: `newLocked`, `systemConfigs`,
/// `addConfigs`; the version with the rootless files, used by Podman 5.7 and later):
///
/// 1. built-in defaults (`defaultConfig()`);
/// 2. if `CONTAINERS_CONF` is set, that one file and nothing else from this list (it must
///    exist: `systemConfigs` fails otherwise);
/// 3. else /usr/share/containers/containers.conf, /etc/containers/containers.conf, then
///    /etc/containers/containers.conf.d/*.conf;
/// 4. for a rootless user (Podman: `GetRootlessUID() > 0`)
///    /etc/containers/containers.rootless.conf, /etc/containers/containers.rootless.conf.d/*.conf,
///    then
///    /etc/containers/containers.rootless.conf.d/<UID>/*.conf;
/// 5. $XDG_CONFIG_HOME/containers/containers.conf, else
///    $HOME/.config/containers/containers.conf (`userConfigPath`), then its
///    containers.conf.d/*.conf; read for root too;
/// 6. `CONTAINERS_CONF_OVERRIDE`, last in every case; a missing file is skipped (the newer
///    `newLocked` reads it with `ignoreErrNotExist`).
///
/// A drop-in directory is read one level deep, regular files ending in ".conf" only, in
/// lexical order (Go's `os.ReadDir` sorts by name). Missing files and directories are
/// skipped. Podman's `--module` files do not exist for a network plugin and are not read.
public struct ConfigLoader: Sendable {
    /// Prefix for the built-in system paths (/usr/share, /etc), so tests can use a fake
    /// tree; "" is the real filesystem. Paths from the environment are used as given.
    public var root: String
    public var environment: [String: String]
    /// The user's real uid, for the per-UID rootless drop-in directory.
    public var uid: UInt32
    /// Whether the rootless-only files are read.
    public var rootless: Bool

    public init(root: String = "", environment: [String: String], uid: UInt32, rootless: Bool) {
        self.root = root
        self.environment = environment
        self.uid = uid
        self.rootless = rootless
    }

    /// A loader for this process: Podman's `_CONTAINERS_ROOTLESS_UID` names the real user
    /// when Ferry runs inside Podman's user namespace, else the effective uid.
    public static func current(environment: [String: String], rootless: Bool) -> ConfigLoader {
        let uid = environment["_CONTAINERS_ROOTLESS_UID"].flatMap { UInt32($0) } ?? geteuid()
        return ConfigLoader(environment: environment, uid: uid, rootless: rootless)
    }

    /// Reads every file in order over the built-in defaults.
    public func load() throws(ConfigError) -> ContainersConf {
        var conf = ContainersConf()
        for file in try candidateFiles() {
            guard let text = try read(file) else {
                Log.debug("config", "\(file): not present, skipped")
                continue
            }
            let document: TOMLTable
            do {
                document = try TOML.parse(text, file: file)
            } catch {
                throw .syntax(file: file, message: error.description)
            }
            try conf.merge(document, from: file)
            Log.debug("config", "merged \(file)")
        }
        return conf
    }

    /// The files to try, in order, with drop-in directories already listed. Some may not
    /// exist; `load` skips those.
    public func candidateFiles() throws(ConfigError) -> [String] {
        var files: [String] = []
        if let named = environment["CONTAINERS_CONF"], !named.isEmpty {
            guard FileSystem.exists(named) else {
                throw .missingNamedFile(variable: "CONTAINERS_CONF", file: named)
            }
            files.append(named)
        } else {
            files += systemFiles()
            files += userFiles()
        }
        if let override = environment["CONTAINERS_CONF_OVERRIDE"], !override.isEmpty {
            files.append(override)
        }
        return files
    }

    private func systemFiles() -> [String] {
        let etc = root + "/etc/containers"
        var files = [root + "/usr/share/containers/containers.conf", etc + "/containers.conf"]
        files += dropIns(etc + "/containers.conf.d")
        if rootless {
            files.append(etc + "/containers.rootless.conf")
            files += dropIns(etc + "/containers.rootless.conf.d")
            files += dropIns(etc + "/containers.rootless.conf.d/\(uid)")
        }
        return files
    }

    private func userFiles() -> [String] {
        let file: String
        if let configHome = environment["XDG_CONFIG_HOME"], !configHome.isEmpty {
            file = configHome + "/containers/containers.conf"
        } else if let home = environment["HOME"], !home.isEmpty {
            file = home + "/.config/containers/containers.conf"
        } else {
            // FIXME: Podman falls back to the passwd entry's home; Ferry skips the user files.
            Log.debug("config", "neither XDG_CONFIG_HOME nor HOME is set: no user files")
            return []
        }
        return [file] + dropIns(file + ".d")
    }

    /// The "*.conf" regular files of a directory, one level, in lexical order.
    private func dropIns(_ directory: String) -> [String] {
        FileSystem.listDirectory(directory)
            .filter { $0.hasSuffix(".conf") }
            .map { directory + "/" + $0 }
            .filter { !isDirectory($0) }
    }

    /// The file's text, or nil when it does not exist.
    private func read(_ file: String) throws(ConfigError) -> String? {
        do {
            return try FileSystem.readString(file)
        } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR { return nil }
            throw .unreadable(file: file, reason: error.description)
        }
    }
}

private func isDirectory(_ path: String) -> Bool {
    var status = stat()
    guard stat(path, &status) == 0 else { return false }
    return (status.st_mode & S_IFMT) == S_IFDIR
}
