/// Build identity, printed by `ferry version` and `ferry --version`.
public enum FerryVersion {
    public static let version = "0.1.0"
    // The build stamps these through the FERRY_COMMIT and FERRY_BUILD_TIME environment
    // when it has them; a plain `swift build` reports "unknown".
    public static let commit = "unknown"
    public static let buildTime = "unknown"
    #if arch(x86_64)
        public static let target = "x86_64-unknown-linux-gnu"
    #elseif arch(arm64)
        public static let target = "aarch64-unknown-linux-gnu"
    #else
        public static let target = "unknown"
    #endif
}
