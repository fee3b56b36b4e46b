extension TOMLParser {
    /// Parses a `"basic string"` with escapes.
    mutating func parseBasicString() throws(TOMLError) -> String {
        position += 1
        var text: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &text)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("unterminated string: newline before the closing quote")
            default:
                if isControl(byte) {
                    throw error("invalid string: control character \(hexName(byte))")
                }
                text.append(byte)
                position += 1
            }
        }
    }

    /// Parses a `'literal string'`, taken as written.
    mutating func parseLiteralString() throws(TOMLError) -> String {
        position += 1
        let start = position
        while true {
            guard let byte = peek() else { throw error("unterminated string") }
            if byte == UInt8(ascii: "'") { break }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw error("unterminated string: newline before the closing quote")
            }
            if isControl(byte) { throw error("invalid string: control character \(hexName(byte))") }
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        position += 1
        return text
    }

    /// Parses a `"""multi-line basic"""` or `'''multi-line literal'''` string.
    mutating func parseMultilineString(literal: Bool) throws(TOMLError) -> String {
        let quote = literal ? UInt8(ascii: "'") : UInt8(ascii: "\"")
        position += 3

        // A newline right after the opening delimiter is trimmed.
        if !consume("\n") { _ = consume("\r\n") }
        var text: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated multi-line string") }
            switch byte {
            case quote:
                var run = 0
                while peek(run) == quote { run += 1 }
                if run >= 3 {
                    // Up to two quotes may sit right before the closing delimiter.
                    guard run <= 5 else {
                        throw error("too many quotes at end of string", at: position + 5)
                    }
                    text.append(contentsOf: repeatElement(quote, count: run - 3))
                    position += run
                    return String(decoding: text, as: UTF8.self)
                }
                text.append(contentsOf: repeatElement(quote, count: run))
                position += run
            case UInt8(ascii: "\\") where !literal:
                if try !skipLineEndingBackslash() { try parseEscape(into: &text) }
            case UInt8(ascii: "\n"):
                text.append(byte)
                position += 1
            case UInt8(ascii: "\r"):
                guard peek(is: "\n", 1) else { throw error("invalid string: bare carriage return") }
                text.append(0x0A)
                position += 2
            default:
                if isControl(byte) {
                    throw error("invalid string: control character \(hexName(byte))")
                }
                text.append(byte)
                position += 1
            }
        }
    }

    /// At a backslash followed by optional whitespace and a newline: skips it and all the
    /// whitespace and newlines after it, returning true. Otherwise moves nothing.
    mutating func skipLineEndingBackslash() throws(TOMLError) -> Bool {
        var index = 1
        while let byte = peek(index), byte == 0x20 || byte == 0x09 { index += 1 }
        guard peek(is: "\n", index) || (peek(is: "\r", index) && peek(is: "\n", index + 1)) else {
            return false
        }
        position += index
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A {
                position += 1
            } else if byte == 0x0D {
                try parseNewline()
            } else {
                break
            }
        }
        return true
    }

    /// Parses one escape sequence at the backslash and appends its UTF-8.
    mutating func parseEscape(into text: inout [UInt8]) throws(TOMLError) {
        let start = position
        position += 1
        guard let byte = peek() else { throw error("unterminated string") }
        position += 1
        switch byte {
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "\""): text.append(0x22)
        case UInt8(ascii: "\\"): text.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            for _ in 0..<count {
                guard let digit = peek().flatMap(hexValue) else {
                    throw error("invalid escape: expected \(count) hex digits", at: start)
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw error("invalid escape: not a Unicode scalar value", at: start)
            }
            text.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw error("invalid escape sequence", at: start)
        }
    }

    func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
