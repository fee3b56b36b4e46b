extension TOMLParser {
    /// Parses a simple or dotted key into its parts: `a."b.c".'d'` gives ["a", "b.c", "d"].
    mutating func parseKey() throws(TOMLError) -> [String] {
        var parts = [try parseSimpleKey()]
        while true {
            let save = position
            skipWhitespace()
            guard peek(is: ".") else {
                position = save
                return parts
            }
            position += 1
            skipWhitespace()
            parts.append(try parseSimpleKey())
        }
    }

    /// Parses one bare, basic-string or literal-string key.
    mutating func parseSimpleKey() throws(TOMLError) -> String {
        switch peek() {
        case UInt8(ascii: "\""):
            if peek(is: "\"", 1) && peek(is: "\"", 2) {
                throw error("invalid key: multi-line strings cannot be keys")
            }
            return try parseBasicString()
        case UInt8(ascii: "'"):
            if peek(is: "'", 1) && peek(is: "'", 2) {
                throw error("invalid key: multi-line strings cannot be keys")
            }
            return try parseLiteralString()
        default:
            let start = position
            while let byte = peek(), isBareKeyByte(byte) { position += 1 }
            guard position > start else { throw unexpected(expecting: "a key") }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
    }

    /// A-Z, a-z, 0-9, `-` and `_`.
    func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}
