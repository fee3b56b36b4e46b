/// A containers.conf problem: which file, which key, and what is wrong with it.
public enum ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file could not be read (other than being absent, which is not an error).
    case unreadable(file: String, reason: String)
    /// The file is not valid TOML; the message carries the file, line and column.
    case syntax(file: String, message: String)
    /// A key Ferry reads holds a value of the wrong type.
    case wrongType(file: String, key: String, expected: String, found: String)
    /// A key holds a value of the right type that is not allowed.
    case invalidValue(file: String, key: String, reason: String)
    /// A file named by an environment variable does not exist.
    case missingNamedFile(variable: String, file: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "reading \(file): \(reason)"
        case .syntax(_, let message):
            "parsing \(message)"
        case .wrongType(let file, let key, let expected, let found):
            "\(file): \(key): expected \(expected), found \(found)"
        case .invalidValue(let file, let key, let reason):
            "\(file): \(key): \(reason)"
        case .missingNamedFile(let variable, let file):
            "\(variable) names \(file): no such file"
        }
    }
}
