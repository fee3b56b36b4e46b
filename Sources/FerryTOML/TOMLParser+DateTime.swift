extension TOMLParser {
    /// Parses a date, time or date-time if the cursor is at one (`dddd-` or `dd:`).
    mutating func parseDateTimeIfPresent() throws(TOMLError) -> TOMLDateTime? {
        let isDate = (0..<4).allSatisfy { isDigit(peek($0)) } && peek(is: "-", 4)
        let isTime = isDigit(peek(0)) && isDigit(peek(1)) && peek(is: ":", 2)
        guard isDate || isTime else { return nil }
        let start = position

        var value = TOMLDateTime(kind: .localTime, text: "")
        var text = ""
        if isDate {
            let year = try parseDigits(4, "year")
            try expect("-", "'-' in a date")
            let month = try parseDigits(2, "month")
            try expect("-", "'-' in a date")
            let day = try parseDigits(2, "day")
            guard (1...12).contains(month) else {
                throw error("invalid date: month \(month)", at: start)
            }
            guard (1...daysIn(month: month, year: year)).contains(day) else {
                throw error("invalid date: day \(day) of month \(month)", at: start)
            }
            (value.year, value.month, value.day) = (year, month, day)
            value.kind = .localDate
            text = "\(pad(year, 4))-\(pad(month))-\(pad(day))"

            // A time follows after `T`, `t` or a space followed by a digit.
            let hasTime =
                ((peek(is: "T") || peek(is: "t")) && isDigit(peek(1)))
                || (peek(is: " ") && isDigit(peek(1)))
            guard hasTime else {
                value.text = text
                return value
            }
            position += 1
            text += "T"
            value.kind = .localDateTime
        }

        let timeStart = position
        let hour = try parseDigits(2, "hour")
        try expect(":", "':' in a time")
        let minute = try parseDigits(2, "minute")
        try expect(":", "':' and seconds in a time")
        let second = try parseDigits(2, "second")
        guard hour < 24, minute < 60, second <= 60 else {
            throw error("invalid time: \(pad(hour)):\(pad(minute)):\(pad(second))", at: timeStart)
        }
        (value.hour, value.minute, value.second) = (hour, minute, second)
        text += "\(pad(hour)):\(pad(minute)):\(pad(second))"
        if peek(is: ".") {
            position += 1
            let fractionStart = position
            while isDigit(peek()) { position += 1 }
            guard position > fractionStart else {
                throw unexpected(expecting: "digits after '.' in a time")
            }
            value.fraction = String(decoding: bytes[fractionStart..<position], as: UTF8.self)
            text += "." + value.fraction
        }

        if isDate {
            if peek(is: "Z") || peek(is: "z") {
                position += 1
                value.offsetMinutes = 0
                text += "Z"
            } else if peek(is: "+") || peek(is: "-") {
                let negative = peek(is: "-")
                let offsetStart = position
                position += 1
                let offsetHour = try parseDigits(2, "offset hour")
                try expect(":", "':' in a time offset")
                let offsetMinute = try parseDigits(2, "offset minute")
                guard offsetHour < 24, offsetMinute < 60 else {
                    throw error("invalid time offset", at: offsetStart)
                }
                value.offsetMinutes = (negative ? -1 : 1) * (offsetHour * 60 + offsetMinute)
                text += "\(negative ? "-" : "+")\(pad(offsetHour)):\(pad(offsetMinute))"
            }
            if value.offsetMinutes != nil { value.kind = .offsetDateTime }
        }
        value.text = text
        return value
    }

    func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Reads exactly `count` decimal digits.
    mutating func parseDigits(_ count: Int, _ what: String) throws(TOMLError) -> Int {
        var value = 0
        for _ in 0..<count {
            guard let byte = peek(), isDigit(byte) else {
                throw unexpected(expecting: "\(count) digits of the \(what)")
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            position += 1
        }
        return value
    }

    func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    func pad(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
