import Foundation

/// Compares two toml-test tagged JSON documents by meaning, as the suite's README asks:
/// integers and floats by value, nan and inf by spelling, date-times by instant and
/// precision, strings and booleans exactly.
enum TaggedJSONComparison {
    static func equal(_ expected: Any, _ actual: Any) -> Bool {
        switch (expected, actual) {
        case (let expected as [String: Any], let actual as [String: Any]):
            if let type = expected["type"] as? String, let value = expected["value"] as? String,
                expected.count == 2
            {
                guard let actualType = actual["type"] as? String,
                    let actualValue = actual["value"] as? String, actual.count == 2,
                    actualType == type
                else { return false }
                return equalScalars(type: type, value, actualValue)
            }
            guard Set(expected.keys) == Set(actual.keys) else { return false }
            return expected.allSatisfy { key, value in equal(value, actual[key]!) }
        case (let expected as [Any], let actual as [Any]):
            guard expected.count == actual.count else { return false }
            return zip(expected, actual).allSatisfy { equal($0, $1) }
        default:
            return false
        }
    }

    static func equalScalars(type: String, _ expected: String, _ actual: String) -> Bool {
        switch type {
        case "integer":
            guard let left = Int64(expected), let right = Int64(actual) else { return false }
            return left == right
        case "float":
            return floatKey(expected) == floatKey(actual)
        case "datetime", "datetime-local", "date-local", "time-local":
            guard let left = DateTimeKey(expected), let right = DateTimeKey(actual) else {
                return false
            }
            return left == right
        default:
            return expected == actual
        }
    }

    /// nan and inf compare by spelling (sign ignored for nan), finite floats by value.
    static func floatKey(_ text: String) -> String? {
        let body = text.hasPrefix("+") ? String(text.dropFirst()) : text
        switch body {
        case "nan", "-nan": return "nan"
        case "inf", "-inf": return body
        default: return Double(body).map { "\($0)" }
        }
    }
}

/// A date-time reduced to what it means: the instant (or local fields) and the precision.
struct DateTimeKey: Equatable {
    var hasDate = false
    var hasTime = false
    /// Days since 1970-01-01 and seconds into the day, shifted to UTC when there is an offset.
    var days = 0
    var seconds = 0
    /// Fractional seconds without trailing zeros.
    var fraction = ""
    var hasOffset = false

    init?(_ text: String) {
        var rest = Substring(text)
        var offsetMinutes = 0
        if rest.count >= 10, rest[rest.index(rest.startIndex, offsetBy: 4)] == "-" {
            let fields = rest.prefix(10).split(separator: "-").compactMap { Int($0) }
            guard fields.count == 3 else { return nil }
            days = Self.daysFromCivil(year: fields[0], month: fields[1], day: fields[2])
            hasDate = true
            rest = rest.dropFirst(10)
            guard let separator = rest.first else { return }
            guard "Tt ".contains(separator) else { return nil }
            rest = rest.dropFirst()
        }

        // HH:MM:SS, an optional fraction, then for date-times an optional offset.
        let fields = rest.prefix(8).split(separator: ":").compactMap { Int($0) }
        guard fields.count == 3 else { return nil }
        hasTime = true
        seconds = fields[0] * 3600 + fields[1] * 60 + fields[2]
        rest = rest.dropFirst(8)
        if rest.first == "." {
            let digits = rest.dropFirst().prefix { $0.isNumber }
            fraction = String(digits.reversed().drop { $0 == "0" }.reversed())
            rest = rest.dropFirst(1 + digits.count)
        }
        if rest == "Z" || rest == "z" {
            hasOffset = true
        } else if let sign = rest.first, sign == "+" || sign == "-" {
            let parts = rest.dropFirst().split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2 else { return nil }
            offsetMinutes = (sign == "-" ? -1 : 1) * (parts[0] * 60 + parts[1])
            hasOffset = true
        } else if !rest.isEmpty {
            return nil
        }

        // Normalise to UTC so that equal instants compare equal.
        seconds -= offsetMinutes * 60
        days += Int((Double(seconds) / 86400).rounded(.down))
        seconds = ((seconds % 86400) + 86400) % 86400
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }
}
