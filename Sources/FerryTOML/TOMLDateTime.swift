/// A TOML date, time, or date-time. The owner of the TOML parser fills this in.
public struct TOMLDateTime: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case offsetDateTime, localDateTime, localDate, localTime
    }

    public var kind: Kind
    /// The value in RFC 3339 spelling ("1979-05-27T07:32:00Z"), as written back to JSON.
    public var text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }
}
