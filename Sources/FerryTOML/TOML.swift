/// Where a TOML error is, and what it is.
public struct TOMLError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

public enum TOML {
    /// Parses a whole TOML 1.0 document. `file` names the source in error messages.
    public static func parse(_ text: String, file: String = "<stdin>") throws(TOMLError)
        -> TOMLTable
    {
        try parse(bytes: Array(text.utf8), file: file)
    }

    /// Parses a TOML 1.0 document given as raw bytes, checking first that they are UTF-8.
    public static func parse(bytes: [UInt8], file: String = "<stdin>") throws(TOMLError)
        -> TOMLTable
    {
        var parser = TOMLParser(bytes: bytes, file: file)
        return try parser.parseDocument()
    }
}
