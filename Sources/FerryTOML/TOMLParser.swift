// Theory of operation: the parser reads the document as UTF-8 bytes with one cursor, `position`.
// TOML decides what a token means by where it stands (a key, a value, a header), so there is
// no separate token stream: each `parse…` method reads its own syntax from the cursor and
// leaves the cursor just past it. Tables are built in a mutable tree of `TOMLTableNode`s that
// remembers how each table came to be (header, dotted key, inline), which the redefinition
// rules need; the tree becomes a `TOMLTable` at the end. Errors point at the offending byte
// and are turned into a 1-based line and column only when thrown.

/// A TOML 1.0 parser over one document.
struct TOMLParser {
    let bytes: [UInt8]
    let file: String
    var position = 0

    /// The root table, and the table that key/value lines currently go into.
    let root = TOMLTableNode(origin: .header)
    var current: TOMLTableNode

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        self.current = root
    }

    /// Parses the whole document into its root table.
    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        try validateUTF8()
        _ = consume("\u{FEFF}")
        while true {
            skipWhitespace()
            try skipComment()
            guard let byte = peek() else { break }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                try parseNewline()
                continue
            }
            if byte == UInt8(ascii: "[") {
                try parseTableHeader()
            } else {
                try parseKeyValue(into: current)
            }
            try parseLineEnd()
        }
        return root.freeze()
    }

    /// After an expression: optional whitespace and comment, then a newline or the end.
    mutating func parseLineEnd() throws(TOMLError) {
        skipWhitespace()
        try skipComment()
        guard peek() != nil else { return }
        try parseNewline()
    }

    // MARK: - Cursor

    var isAtEnd: Bool { position >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    func peek(is character: Character, _ offset: Int = 0) -> Bool {
        peek(offset) == character.asciiValue
    }

    /// Consumes `text` if the input continues with it.
    mutating func consume(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard position + utf8.count <= bytes.count,
            bytes[position..<position + utf8.count].elementsEqual(utf8)
        else { return false }
        position += utf8.count
        return true
    }

    /// Consumes `character`, or fails naming what was expected.
    mutating func expect(_ character: Character, _ what: String) throws(TOMLError) {
        guard peek(is: character) else { throw unexpected(expecting: what) }
        position += 1
    }

    mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { position += 1 }
    }

    /// Skips a comment up to (not including) the line end, rejecting control characters.
    mutating func skipComment() throws(TOMLError) {
        guard peek(is: "#") else { return }
        position += 1
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            if byte == UInt8(ascii: "\r") && peek(is: "\n", 1) { return }
            if isControl(byte) {
                throw error("invalid comment: control character \(hexName(byte))")
            }
            position += 1
        }
    }

    /// Consumes one newline, LF or CRLF; a bare CR is an error.
    mutating func parseNewline() throws(TOMLError) {
        if consume("\n") || consume("\r\n") { return }
        throw unexpected(expecting: "a newline")
    }

    /// Skips whitespace, comments and newlines, as allowed between array elements.
    mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLError) {
        while true {
            skipWhitespace()
            try skipComment()
            guard let byte = peek(), byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            else { return }
            try parseNewline()
        }
    }

    /// True for the control characters TOML forbids outside whitespace: all but tab.
    func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    func hexName(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
