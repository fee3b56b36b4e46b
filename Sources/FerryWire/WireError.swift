/// A failure to read or write netavark's JSON, with the field it concerns.
///
/// Messages read "decoding network options: network_info.podman.subnets[0].subnet: invalid
/// CIDR \"10.88.0.0/33\"", so the user sees which field of which network was wrong.
public enum WireError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `subject` names what was decoded ("network options"), `path` the field in the
    /// JSON ("" for the document itself), `reason` what was wrong with it.
    case decoding(subject: String, path: String, reason: String)

    public var description: String {
        switch self {
        case .decoding(let subject, let path, let reason):
            path.isEmpty
                ? "decoding \(subject): \(reason)" : "decoding \(subject): \(path): \(reason)"
        }
    }
}

/// A field that failed our own checks while decoding, with its rendered path.
///
/// Thrown from `init(from:)`; JSONDecoder passes it through unchanged, and the top-level
/// decode turns it into `WireError.decoding`.
struct FieldError: Error {
    let path: String
    let reason: String

    init(_ codingPath: [any CodingKey], _ reason: String) {
        self.path = renderCodingPath(codingPath)
        self.reason = reason
    }
}

/// "network_info.podman.subnets[0].subnet": keys joined by dots, array indices in brackets.
func renderCodingPath(_ codingPath: [any CodingKey]) -> String {
    var text = ""
    for key in codingPath {
        if let index = key.intValue, key.stringValue == "Index \(index)" {
            text += "[\(index)]"
        } else {
            text += text.isEmpty ? key.stringValue : "." + key.stringValue
        }
    }
    return text
}

/// The key of an array element, spelled as Foundation spells its own.
struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String

    init(_ index: Int) {
        intValue = index
        stringValue = "Index \(index)"
    }

    init?(intValue: Int) { self.init(intValue) }
    init?(stringValue: String) { nil }
}

/// A key read from a JSON object whose keys are not known in advance.
struct NameKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension WireError {
    /// Turns whatever a decode threw into a `WireError` about `subject`.
    static func wrapping(_ error: any Error, subject: String) -> WireError {
        switch error {
        case let error as WireError:
            return error
        case let error as FieldError:
            return .decoding(subject: subject, path: error.path, reason: error.reason)
        case let error as DecodingError:
            let (path, reason) = describe(error)
            return .decoding(subject: subject, path: path, reason: reason)
        default:
            return .decoding(subject: subject, path: "", reason: "\(error)")
        }
    }

    /// Foundation's decoding errors name Swift types; these words name JSON ones.
    private static func describe(_ error: DecodingError) -> (path: String, reason: String) {
        switch error {
        case .keyNotFound(let key, let context):
            return (renderCodingPath(context.codingPath), "missing field \(key.stringValue)")
        case .valueNotFound(let type, let context):
            return (renderCodingPath(context.codingPath), "expected \(jsonKind(type)), found null")
        case .typeMismatch(let type, let context):
            return (renderCodingPath(context.codingPath), "expected \(jsonKind(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return ("", "input is not valid JSON")
            }
            return (renderCodingPath(context.codingPath), "expected an integer in range")
        @unknown default:
            return ("", "invalid input")
        }
    }

    private static func jsonKind(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if type == String.self { return "a string" }
        if type == Bool.self { return "a boolean" }
        if name.hasPrefix("Int") || name.hasPrefix("UInt") { return "an integer" }
        if type == Double.self || type == Float.self { return "a number" }
        if name.hasPrefix("Dictionary") || (name.hasPrefix("[") && name.contains(":")) {
            return "an object"
        }
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
        return "an object"
    }
}
