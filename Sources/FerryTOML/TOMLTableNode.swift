/// A table while the document is being parsed, remembering how it was made.
///
/// The redefinition rules of TOML depend on history: a table made implicitly by a header
/// path may later get its own header once; a table made by dotted keys may gain sub-tables
/// by header but never its own header; inline tables and value arrays are closed.
final class TOMLTableNode {
    enum Origin {
        /// Named by a `[header]` or `[[header]]` (or the root).
        case header
        /// Made on the way to a deeper header, not yet defined itself.
        case implicit
        /// Made by a dotted key such as `a.b = 1`.
        case dotted
    }

    enum Entry {
        case value(TOMLValue)
        case table(TOMLTableNode)
        /// An array of tables made by `[[header]]`, which later headers may extend.
        case tableArray([TOMLTableNode])
    }

    var origin: Origin
    private(set) var keys: [String] = []
    private var entries: [String: Entry] = [:]

    init(origin: Origin) {
        self.origin = origin
    }

    subscript(key: String) -> Entry? {
        get { entries[key] }
        set {
            if entries.updateValue(newValue!, forKey: key) == nil { keys.append(key) }
        }
    }

    /// Turns the tree into the public, immutable table.
    func freeze() -> TOMLTable {
        var table = TOMLTable()
        for key in keys {
            switch entries[key]! {
            case .value(let value): table[key] = value
            case .table(let node): table[key] = .table(node.freeze())
            case .tableArray(let nodes): table[key] = .array(nodes.map { .table($0.freeze()) })
            }
        }
        return table
    }
}

extension TOMLParser {
    /// Parses `[a.b]` or `[[a.b]]` and makes its table the current one.
    mutating func parseTableHeader() throws(TOMLError) {
        let start = position
        let isArray = consume("[[")
        if !isArray { position += 1 }
        skipWhitespace()
        let keys = try parseKey()
        skipWhitespace()
        try expect("]", isArray ? "']]' to close the array of tables header" : "']'")
        if isArray { try expect("]", "']]' to close the array of tables header") }

        // Walk to the parent, making implicit tables and entering the last of each array.
        var table = root
        for (index, key) in keys.dropLast().enumerated() {
            switch table[key] {
            case nil:
                let child = TOMLTableNode(origin: .implicit)
                table[key] = .table(child)
                table = child
            case .table(let child): table = child
            case .tableArray(let children): table = children[children.count - 1]
            case .value:
                let path = keys[...index].joined(separator: ".")
                throw error("cannot define table: key '\(path)' is not a table", at: start)
            }
        }

        let last = keys[keys.count - 1]
        let name = keys.joined(separator: ".")
        if isArray {
            let child = TOMLTableNode(origin: .header)
            switch table[last] {
            case nil: table[last] = .tableArray([child])
            case .tableArray(let children): table[last] = .tableArray(children + [child])
            default:
                throw error("cannot define array of tables '\(name)': key already used", at: start)
            }
            current = child
            return
        }
        switch table[last] {
        case nil:
            let child = TOMLTableNode(origin: .header)
            table[last] = .table(child)
            current = child
        case .table(let child) where child.origin == .implicit:
            child.origin = .header
            current = child
        default:
            throw error("cannot define table '\(name)': it is already defined", at: start)
        }
    }

    /// Parses `key = value` and stores it in `table`, making dotted-key tables on the way.
    mutating func parseKeyValue(into table: TOMLTableNode) throws(TOMLError) {
        let start = position
        let keys = try parseKey()
        skipWhitespace()
        try expect("=", "'=' after a key")
        skipWhitespace()
        let value = try parseValue()

        var target = table
        for (index, key) in keys.dropLast().enumerated() {
            switch target[key] {
            case nil:
                let child = TOMLTableNode(origin: .dotted)
                target[key] = .table(child)
                target = child
            case .table(let child) where child.origin == .dotted:
                target = child
            default:
                let path = keys[...index].joined(separator: ".")
                throw error("cannot extend '\(path)' with a dotted key: already defined", at: start)
            }
        }
        let last = keys[keys.count - 1]
        guard target[last] == nil else {
            let name = keys.joined(separator: ".")
            throw error("duplicate key '\(name)'", at: start)
        }
        target[last] = .value(value)
    }
}
