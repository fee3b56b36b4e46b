import CFerryShim

/// What the build stamped into the binary.
public enum BuildInfo {
    public static var commit: String { String(cString: ferry_build_commit()) }
    public static var time: String { String(cString: ferry_build_time()) }
}
