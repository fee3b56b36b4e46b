import FerryAddress

/// Field readers that parse addresses and default absent lists, so each wire type's
/// `init(from:)` stays a list of fields, and every failure names its field.
extension KeyedDecodingContainer {
    func decodeAddress(_ key: Key) throws -> IPAddress {
        try parseAddress(try decode(String.self, forKey: key), codingPath + [key])
    }

    func decodeAddressIfPresent(_ key: Key) throws -> IPAddress? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        return try parseAddress(text, codingPath + [key])
    }

    /// A list of addresses; absent or null reads as nil.
    func decodeAddressesIfPresent(_ key: Key) throws -> [IPAddress]? {
        guard let texts = try decodeIfPresent([String].self, forKey: key) else { return nil }
        return try texts.enumerated().map { index, text in
            try parseAddress(text, codingPath + [key, IndexKey(index)])
        }
    }

    func decodeNetwork(_ key: Key) throws -> IPNetwork {
        let text = try decode(String.self, forKey: key)
        guard let network = IPNetwork(text) else {
            throw FieldError(codingPath + [key], "invalid CIDR \(text.quoted)")
        }
        return network
    }

    func decodeMACIfPresent(_ key: Key) throws -> MACAddress? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        return try parseMAC(text, codingPath + [key])
    }

    func decodeMAC(_ key: Key) throws -> MACAddress {
        try parseMAC(try decode(String.self, forKey: key), codingPath + [key])
    }

    /// A list; absent or null reads as empty.
    func decodeList<T: Decodable>(_ type: T.Type, _ key: Key) throws -> [T] {
        try decodeIfPresent([T].self, forKey: key) ?? []
    }

    /// A string map; absent or null reads as empty.
    func decodeStringMap(_ key: Key) throws -> [String: String] {
        try decodeIfPresent([String: String].self, forKey: key) ?? [:]
    }

    /// An integer in `range`, read as a JSON number.
    func decodeInteger(_ key: Key, in range: ClosedRange<Int>) throws -> Int {
        try checkRange(try decode(Int.self, forKey: key), key, range)
    }

    func decodeIntegerIfPresent(_ key: Key, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = try decodeIfPresent(Int.self, forKey: key) else { return nil }
        return try checkRange(value, key, range)
    }

    private func checkRange(_ value: Int, _ key: Key, _ range: ClosedRange<Int>) throws -> Int {
        guard range.contains(value) else {
            throw FieldError(
                codingPath + [key],
                "\(value) is out of range \(range.lowerBound)-\(range.upperBound)")
        }
        return value
    }
}

private func parseAddress(_ text: String, _ path: [any CodingKey]) throws -> IPAddress {
    guard let address = IPAddress(text) else {
        throw FieldError(path, "invalid IP address \(text.quoted)")
    }
    return address
}

private func parseMAC(_ text: String, _ path: [any CodingKey]) throws -> MACAddress {
    guard let mac = MACAddress(text) else {
        throw FieldError(path, "invalid MAC address \(text.quoted)")
    }
    return mac
}

extension String {
    /// The text in double quotes with JSON-style escapes, for error messages.
    public var quoted: String {
        var result = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
