extension TOMLParser {
    /// An error at the cursor, or at `offset` when given.
    func error(_ message: String, at offset: Int? = nil) -> TOMLError {
        let target = min(offset ?? position, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<target where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }

        // Columns count characters, so skip UTF-8 continuation bytes.
        var column = 1
        for index in lineStart..<target where bytes[index] & 0xC0 != 0x80 { column += 1 }
        return TOMLError(file: file, line: line, column: column, message: message)
    }

    /// An error naming the character found where `what` was expected.
    func unexpected(expecting what: String) -> TOMLError {
        error("expected \(what), found \(describeCurrent())")
    }

    /// The character at the cursor, for messages.
    func describeCurrent() -> String {
        guard let byte = peek() else { return "end of file" }
        switch byte {
        case UInt8(ascii: "\n"): return "newline"
        case UInt8(ascii: "\r"): return "carriage return"
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0..<0x20, 0x7F: return hexName(byte)
        default: return "non-ASCII character"
        }
    }

    /// Rejects bytes that are not well-formed UTF-8 (overlong forms and surrogates included).
    func validateUTF8() throws(TOMLError) {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            var scalar: UInt32
            switch lead {
            case 0..<0x80:
                index += 1
                continue
            case 0xC2...0xDF: (length, scalar) = (2, UInt32(lead & 0x1F))
            case 0xE0...0xEF: (length, scalar) = (3, UInt32(lead & 0x0F))
            case 0xF0...0xF4: (length, scalar) = (4, UInt32(lead & 0x07))
            default: throw error("invalid UTF-8: bad lead byte", at: index)
            }
            guard index + length <= bytes.count else {
                throw error("invalid UTF-8: truncated sequence", at: index)
            }
            for offset in 1..<length {
                let byte = bytes[index + offset]
                guard byte & 0xC0 == 0x80 else {
                    throw error("invalid UTF-8: bad continuation byte", at: index)
                }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
            }
            let minimum: UInt32 = length == 3 ? 0x800 : (length == 4 ? 0x10000 : 0x80)
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar)
            else { throw error("invalid UTF-8: overlong form or surrogate", at: index) }
            index += length
        }
    }
}
