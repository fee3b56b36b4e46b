extension TOMLParser {
    /// Parses any value at the cursor.
    mutating func parseValue() throws(TOMLError) -> TOMLValue {
        guard let byte = peek() else { throw unexpected(expecting: "a value") }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(is: "\"", 1) && peek(is: "\"", 2) {
                return .string(try parseMultilineString(literal: false))
            }
            return .string(try parseBasicString())
        case UInt8(ascii: "'"):
            if peek(is: "'", 1) && peek(is: "'", 2) {
                return .string(try parseMultilineString(literal: true))
            }
            return .string(try parseLiteralString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .boolean(try parseBoolean())
        case UInt8(ascii: "["):
            return .array(try parseArray())
        case UInt8(ascii: "{"):
            return .table(try parseInlineTable())
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let dateTime = try parseDateTimeIfPresent() { return .dateTime(dateTime) }
            return try parseNumber()
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "i"), UInt8(ascii: "n"):
            return try parseNumber()
        default:
            throw unexpected(expecting: "a value")
        }
    }

    mutating func parseBoolean() throws(TOMLError) -> Bool {
        let start = position
        let value: Bool
        if consume("true") {
            value = true
        } else if consume("false") {
            value = false
        } else {
            throw unexpected(expecting: "a value")
        }
        if let byte = peek(), isBareKeyByte(byte) {
            throw error("invalid value: expected true or false", at: start)
        }
        return value
    }

    /// Parses `[ v, v, ]`; newlines and comments may stand between elements.
    mutating func parseArray() throws(TOMLError) -> [TOMLValue] {
        position += 1
        var elements: [TOMLValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            if peek(is: "]") { break }
            elements.append(try parseValue())
            try skipWhitespaceCommentsAndNewlines()
            if peek(is: ",") {
                position += 1
                continue
            }
            guard peek(is: "]") else { throw unexpected(expecting: "',' or ']' in an array") }
            break
        }
        position += 1
        return elements
    }

    /// Parses `{ k = v, k = v }` on one line; the table is closed once parsed.
    mutating func parseInlineTable() throws(TOMLError) -> TOMLTable {
        position += 1
        let table = TOMLTableNode(origin: .header)
        skipWhitespace()
        if peek(is: "}") {
            position += 1
            return table.freeze()
        }
        while true {
            skipWhitespace()
            try parseKeyValue(into: table)
            skipWhitespace()
            if peek(is: ",") {
                position += 1
                skipWhitespace()
                if peek(is: "}") { throw error("invalid inline table: trailing comma") }
                continue
            }
            guard peek(is: "}") else {
                throw unexpected(expecting: "',' or '}' in an inline table")
            }
            position += 1
            return table.freeze()
        }
    }
}
