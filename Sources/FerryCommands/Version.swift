import FerrySystem

/// Build identity, printed by `ferry version` and `ferry --version`.
public enum FerryVersion {
    public static let version = "0.1.0"
    /// The git commit of the package when it was built ("-dirty" with local changes).
    public static var commit: String { BuildInfo.commit }
    /// When the build compiled its C shim, as the compiler spells it ("Dec  4 2026 17:40:01").
    public static var buildTime: String { BuildInfo.time }
    #if arch(x86_64)
        public static let target = "x86_64-unknown-linux-gnu"
    #elseif arch(arm64)
        public static let target = "aarch64-unknown-linux-gnu"
    #else
        public static let target = "unknown"
    #endif
}
