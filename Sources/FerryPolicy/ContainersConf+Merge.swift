import FerryAddress
import FerrySystem
import FerryTOML

// Merging one file into the effective values.
//
// A file overrides key by key. A string array replaces the value so far unless appending is
// on for the key: an inline table `{append=true}` among its items turns it on (the items are
// then added after the value so far) and it stays on for that key in later files until one
// says `{append=false}`. This is containers/common's attributed string slice, whose state
// lives in the slice and so survives from one file to the next.
extension ContainersConf {
    /// Applies one parsed file on top of the values so far.
    public mutating func merge(_ document: TOMLTable, from file: String) throws(ConfigError) {
        for (tableName, tableValue) in document.entries {
            guard ConfigKey.tables.contains(tableName) else {
                Log.debug("config", "\(file): ignoring [\(tableName)]: Ferry reads no key there")
                continue
            }
            guard case .table(let table) = tableValue else {
                throw .wrongType(
                    file: file, key: "[\(tableName)]", expected: "a table",
                    found: typeName(tableValue))
            }
            for (name, value) in table.entries {
                guard let key = ConfigKey(table: tableName, name: name) else {
                    Log.debug(
                        "config", "\(file): ignoring [\(tableName)] \(name): unknown to Ferry")
                    continue
                }
                try set(key, value, from: file)
            }
        }
        filesRead.append(file)
    }

    private mutating func set(_ key: ConfigKey, _ value: TOMLValue, from file: String)
        throws(ConfigError)
    {
        func wrongType() -> ConfigError {
            .wrongType(
                file: file, key: key.displayName, expected: key.kind.expected,
                found: typeName(value))
        }

        switch key.kind {
        case .string:
            guard case .string(let text) = value else { throw wrongType() }
            update(key, Entry(value: .string(text), sources: [file], appending: false))

        case .port:
            guard case .integer(let number) = value else { throw wrongType() }
            guard (0...65535).contains(number) else {
                throw .invalidValue(
                    file: file, key: key.displayName, reason: "\(number) is not a port number")
            }
            update(key, Entry(value: .integer(number), sources: [file], appending: false))

        case .stringArray:
            guard case .array(let elements) = value else { throw wrongType() }
            let (items, marker) = try attributedStrings(elements, key: key, file: file)
            var entry = self[key]
            if let marker { entry.appending = marker }
            if entry.appending, case .strings(let previous) = entry.value {
                entry.value = .strings(previous + items)
                entry.sources.append(file)
            } else {
                entry.value = .strings(items)
                entry.sources = [file]
            }
            update(key, entry)

        case .subnetPools:
            guard case .array(let elements) = value else { throw wrongType() }
            let pools = try subnetPools(elements, key: key, file: file)
            update(key, Entry(value: .subnetPools(pools), sources: [file], appending: false))
        }
    }

    /// The strings of an attributed string array, and its append marker if it has one.
    private func attributedStrings(_ elements: [TOMLValue], key: ConfigKey, file: String)
        throws(ConfigError) -> (items: [String], append: Bool?)
    {
        var items: [String] = []
        var marker: Bool?
        for element in elements {
            switch element {
            case .string(let text):
                items.append(text)
            case .table(let attributes):
                guard attributes.keys == ["append"], case .boolean(let flag) = attributes["append"]
                else {
                    throw .invalidValue(
                        file: file, key: key.displayName,
                        reason: "an inline table in a string array may only be {append = true}"
                            + " or {append = false}")
                }
                marker = flag
            default:
                throw .wrongType(
                    file: file, key: key.displayName, expected: key.kind.expected,
                    found: "an array holding \(typeName(element))")
            }
        }
        return (items, marker)
    }

    private func subnetPools(_ elements: [TOMLValue], key: ConfigKey, file: String)
        throws(ConfigError) -> [SubnetPool]
    {
        var pools: [SubnetPool] = []
        for element in elements {
            guard case .table(let table) = element else {
                throw .wrongType(
                    file: file, key: key.displayName, expected: key.kind.expected,
                    found: "an array holding \(typeName(element))")
            }
            if table["append"] != nil {
                throw .invalidValue(
                    file: file, key: key.displayName,
                    reason: "{append = ...} is only allowed in an array of strings")
            }
            guard case .string(let base) = table["base"], case .integer(let size) = table["size"]
            else {
                throw .wrongType(
                    file: file, key: key.displayName, expected: key.kind.expected,
                    found: "a table with keys \(table.keys)")
            }
            guard let network = IPNetwork(base), size > 0, size >= network.prefixLength,
                size <= network.family.bitCount
            else {
                throw .invalidValue(
                    file: file, key: key.displayName,
                    reason: "pool {base = \"\(base)\", size = \(size)} is not a CIDR base with a"
                        + " size at least its prefix length")
            }
            for extra in table.keys where extra != "base" && extra != "size" {
                Log.debug("config", "\(file): ignoring \(extra) in \(key.displayName)")
            }
            pools.append(SubnetPool(base: base, size: Int(size)))
        }
        return pools
    }
}

/// A TOML value's type in words, for error messages.
func typeName(_ value: TOMLValue) -> String {
    switch value {
    case .string: "a string"
    case .integer: "an integer"
    case .float: "a float"
    case .boolean: "a boolean"
    case .dateTime: "a date-time"
    case .array: "an array"
    case .table: "a table"
    }
}
