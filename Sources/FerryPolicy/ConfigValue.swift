/// One subnet pool of `[network] default_subnet_pools`: subnets of `size` bits carved from
/// `base`.
public struct SubnetPool: Sendable, Equatable, Codable {
    public var base: String
    public var size: Int

    public init(base: String, size: Int) {
        self.base = base
        self.size = size
    }
}

/// An effective containers.conf value, already checked against its key's type.
public enum ConfigValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case strings([String])
    case subnetPools([SubnetPool])

    /// The value in TOML spelling, for explanations.
    public var tomlText: String {
        switch self {
        case .string(let text): quoted(text)
        case .integer(let number): String(number)
        case .strings(let items): "[" + items.map(quoted).joined(separator: ", ") + "]"
        case .subnetPools(let pools):
            "["
                + pools.map { "{base = \(quoted($0.base)), size = \($0.size)}" }
                .joined(separator: ", ") + "]"
        }
    }
}

/// A TOML basic string: quotes and backslashes escaped, control characters as \uXXXX.
private func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7f:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
