import Foundation

/// `ferry version`: one JSON object with the build's identity.
enum VersionCommand {
    static func run(_ commandLine: ParsedCommandLine) -> Int32 {
        let fields: [(String, String)] = [
            ("version", FerryVersion.version),
            ("commit", FerryVersion.commit),
            ("build_time", FerryVersion.buildTime),
            ("target", FerryVersion.target),
        ]
        let body = fields.map { "  \"\($0.0)\": \"\($0.1)\"" }.joined(separator: ",\n")
        print("{\n\(body)\n}")
        return 0
    }
}
