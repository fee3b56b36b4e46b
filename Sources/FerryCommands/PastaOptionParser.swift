/// getopt_long's rules, in Swift, for `ferry pasta`: long options with `=VALUE` or the next
/// word, unambiguous prefixes of long names, clustered short options (`-46f`), short
/// arguments attached (`-m1500`) or apart, options and operands in any order, `--` ends the
/// options. Errors carry glibc's texts (see `PastaUsageError`).
struct PastaOptionParser {
    /// One option of the table: its names and whether it takes an argument.
    struct Option: Sendable {
        let long: String?
        let short: Character?
        let takesArgument: Bool
        /// The name the option is known by when applied: its long name, else its letter.
        var key: String { long ?? String(short!) }
    }

    /// An option as found on the command line, with its argument.
    struct Occurrence: Equatable {
        let key: String
        let value: String?
    }

    let options: [Option]

    func parse(_ arguments: [String]) throws(PastaUsageError)
        -> (occurrences: [Occurrence], operands: [String])
    {
        var occurrences: [Occurrence] = []
        var operands: [String] = []
        var index = 0
        func next() -> String? {
            index += 1
            return index < arguments.count ? arguments[index] : nil
        }

        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                operands += arguments[(index + 1)...]
                break
            }
            if argument.hasPrefix("--") {
                occurrences.append(try parseLong(argument, next: next))
            } else if argument.hasPrefix("-") && argument.count > 1 {
                occurrences += try parseShortCluster(argument, next: next)
            } else {
                operands.append(argument)
            }
            index += 1
        }
        return (occurrences, operands)
    }

    private func parseLong(_ argument: String, next: () -> String?) throws(PastaUsageError)
        -> Occurrence
    {
        let body = argument.dropFirst(2)
        let name = String(body.prefix { $0 != "=" })
        let inlineValue = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil

        let option: Option
        if let exact = options.first(where: { $0.long == name }) {
            option = exact
        } else {
            let candidates = options.filter { $0.long?.hasPrefix(name) ?? false }
            guard let first = candidates.first, !name.isEmpty else {
                throw .unrecognizedOption(argument)
            }
            if candidates.count > 1 {
                throw .ambiguousOption("--" + name, possibilities: candidates.compactMap(\.long))
            }
            option = first
        }

        let long = option.long!
        if !option.takesArgument {
            if inlineValue != nil { throw .doesNotAllowArgument(long: long) }
            return Occurrence(key: option.key, value: nil)
        }
        if let inlineValue { return Occurrence(key: option.key, value: inlineValue) }
        guard let value = next() else { throw .requiresArgument(long: long) }
        return Occurrence(key: option.key, value: value)
    }

    private func parseShortCluster(_ argument: String, next: () -> String?)
        throws(PastaUsageError) -> [Occurrence]
    {
        var found: [Occurrence] = []
        var rest = Substring(argument.dropFirst())
        while let letter = rest.first {
            rest = rest.dropFirst()
            guard let option = options.first(where: { $0.short == letter }) else {
                throw .invalidOption(letter)
            }
            guard option.takesArgument else {
                found.append(Occurrence(key: option.key, value: nil))
                continue
            }
            if !rest.isEmpty {
                found.append(Occurrence(key: option.key, value: String(rest)))
                return found
            }
            guard let value = next() else { throw .requiresArgumentShort(letter) }
            found.append(Occurrence(key: option.key, value: value))
            return found
        }
        return found
    }
}
