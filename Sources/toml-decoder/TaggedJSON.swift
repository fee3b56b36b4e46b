import FerryTOML

#if canImport(Glibc)
    import Glibc
#endif

/// The toml-test "tagged JSON" spelling of a TOML document: tables are objects, arrays are
/// arrays, and every other value is `{"type": T, "value": S}` with S a string.
enum TaggedJSON {
    static func encode(_ table: TOMLTable) -> String {
        var output = ""
        write(table, into: &output)
        return output
    }

    static func write(_ table: TOMLTable, into output: inout String) {
        output += "{"
        for (index, entry) in table.entries.enumerated() {
            if index > 0 { output += "," }
            writeString(entry.key, into: &output)
            output += ":"
            write(entry.value, into: &output)
        }
        output += "}"
    }

    static func write(_ value: TOMLValue, into output: inout String) {
        switch value {
        case .table(let table):
            write(table, into: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                write(element, into: &output)
            }
            output += "]"
        case .string(let text): writeTagged("string", text, into: &output)
        case .integer(let number): writeTagged("integer", String(number), into: &output)
        case .float(let number): writeTagged("float", floatText(number), into: &output)
        case .boolean(let flag): writeTagged("bool", flag ? "true" : "false", into: &output)
        case .dateTime(let dateTime):
            let type =
                switch dateTime.kind {
                case .offsetDateTime: "datetime"
                case .localDateTime: "datetime-local"
                case .localDate: "date-local"
                case .localTime: "time-local"
                }
            writeTagged(type, dateTime.text, into: &output)
        }
    }

    /// `inf`, `-inf` and `nan` as TOML spells them; other floats as Swift prints them.
    static func floatText(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        return "\(number)"
    }

    static func writeTagged(_ type: String, _ value: String, into output: inout String) {
        output += "{\"type\":\"\(type)\",\"value\":"
        writeString(value, into: &output)
        output += "}"
    }

    static func writeString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

/// Writes to the standard error stream without Foundation.
enum FileHandleWriter {
    static func standardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(2, &bytes, bytes.count)
    }
}
