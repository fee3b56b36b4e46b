extension TOMLParser {
    /// Parses an integer or a float, including `inf` and `nan` with an optional sign.
    mutating func parseNumber() throws(TOMLError) -> TOMLValue {
        let start = position
        while let byte = peek(), isNumberByte(byte) { position += 1 }
        let token = Array(bytes[start..<position])
        guard !token.isEmpty else { throw unexpected(expecting: "a value") }
        let text = String(decoding: token, as: UTF8.self)

        var body = text
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = String(first)
            body.removeFirst()
        }
        switch body {
        case "inf": return .float(sign == "-" ? -.infinity : .infinity)
        case "nan": return .float(.nan)
        default: break
        }

        if body.hasPrefix("0x") || body.hasPrefix("0o") || body.hasPrefix("0b") {
            guard sign.isEmpty else {
                throw error("invalid integer: a prefixed integer cannot have a sign", at: start)
            }
            return .integer(try parsePrefixedInteger(body, at: start))
        }
        if body.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            return .float(try parseFloat(text, body: body, at: start))
        }

        guard isDigitRun(body, leadingZeros: false) else {
            throw error("invalid number '\(text)'", at: start)
        }
        guard let value = Int64(sign + body.filter { $0 != "_" }) else {
            throw error("invalid integer '\(text)': out of range of 64 bits", at: start)
        }
        return .integer(value)
    }

    /// Characters that may appear in a number token.
    func isNumberByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
    }

    /// Parses `0x…`, `0o…` or `0b…`.
    func parsePrefixedInteger(_ body: String, at start: Int) throws(TOMLError) -> Int64 {
        let radix: Int
        switch body.dropFirst().first {
        case "x": radix = 16
        case "o": radix = 8
        default: radix = 2
        }
        let digits = String(body.dropFirst(2))
        guard isDigitRun(digits, leadingZeros: true, radix: radix) else {
            throw error("invalid integer '\(body)'", at: start)
        }
        guard let value = Int64(digits.filter { $0 != "_" }, radix: radix) else {
            throw error("invalid integer '\(body)': out of range of 64 bits", at: start)
        }
        return value
    }

    /// Parses a decimal float such as `-1_000.5e+3`.
    func parseFloat(_ text: String, body: String, at start: Int) throws(TOMLError) -> Double {
        var mantissa = Substring(body)
        var exponent: Substring?
        if let index = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = body[..<index]
            exponent = body[body.index(after: index)...]
        }
        var integerPart = mantissa
        var fractionPart: Substring?
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        }

        var valid = isDigitRun(String(integerPart), leadingZeros: false)
        if let fractionPart {
            valid = valid && isDigitRun(String(fractionPart), leadingZeros: true)
        }
        if var exponent {
            if let first = exponent.first, first == "+" || first == "-" { exponent.removeFirst() }
            valid = valid && isDigitRun(String(exponent), leadingZeros: true)
        }
        guard valid, let value = Double(text.filter { $0 != "_" }) else {
            throw error("invalid float '\(text)'", at: start)
        }
        return value
    }

    /// Digits of `radix`, with single underscores only between digits; no leading zero
    /// unless allowed (a lone `0` is always fine).
    func isDigitRun(_ text: String, leadingZeros: Bool, radix: Int = 10) -> Bool {
        guard let first = text.first, let last = text.last, first != "_", last != "_" else {
            return false
        }
        if !leadingZeros && first == "0" && text.count > 1 { return false }
        var previous: Character = " "
        for character in text {
            if character == "_" {
                if previous == "_" { return false }
            } else if character.hexDigitValue.map({ $0 >= radix }) ?? true {
                return false
            } else if !character.isASCII {
                return false
            }
            previous = character
        }
        return true
    }
}
