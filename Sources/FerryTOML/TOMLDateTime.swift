/// A TOML date, time, or date-time, with the fields as written.
///
/// `text` is the RFC 3339 spelling ("1979-05-27T07:32:00Z"): the date and time separator is
/// always `T`, a `z` offset becomes `Z`, and fractional seconds stay as written.
public struct TOMLDateTime: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case offsetDateTime, localDateTime, localDate, localTime
    }

    public var kind: Kind
    /// The value in RFC 3339 spelling ("1979-05-27T07:32:00Z"), as written back to JSON.
    public var text: String

    /// The date fields, or nil for a local time.
    public var year: Int?
    public var month: Int?
    public var day: Int?
    /// The time fields, or nil for a local date.
    public var hour: Int?
    public var minute: Int?
    public var second: Int?
    /// The digits after the decimal point of the seconds, as written ("" when absent).
    public var fraction: String = ""
    /// Minutes east of UTC for an offset date-time, nil otherwise.
    public var offsetMinutes: Int?

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }

    /// The fractional seconds in nanoseconds (digits past the ninth are dropped).
    public var nanosecond: Int {
        var value = 0
        var digits = 0
        for character in fraction.utf8 where digits < 9 {
            value = value * 10 + Int(character - UInt8(ascii: "0"))
            digits += 1
        }
        for _ in digits..<9 { value *= 10 }
        return value
    }
}
