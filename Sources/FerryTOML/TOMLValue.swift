/// A TOML value as the parser hands it to its users.
///
/// Tables keep their keys in document order so that dumps and explanations read like the
/// file. Date-times keep their kind and their exact fields.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case dateTime(TOMLDateTime)
    case array([TOMLValue])
    case table(TOMLTable)
}

/// An ordered table of keys to values.
public struct TOMLTable: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]

    public init() {}

    public subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var entries: [(key: String, value: TOMLValue)] {
        keys.map { ($0, values[$0]!) }
    }

    public var isEmpty: Bool { keys.isEmpty }
}
