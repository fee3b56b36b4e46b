import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// The command line: a subcommand, its positional arguments, then `--name value` options.
/// A result is one JSON line on stdout and exit 0; a failure is `{"error": "..."}` on
/// stdout, the same message on stderr, and exit 1; a usage error exits 2.
enum PerfCommand {
    static let usage = """
        usage: ferry-perf server [--bind ADDRESS] [--port PORT]
               ferry-perf tcp-rr HOST PORT [--seconds S]
               ferry-perf tcp-crr HOST PORT [--seconds S]
               ferry-perf udp-stream HOST PORT --rate DATAGRAMS_PER_S [--size BYTES] [--seconds S]
               ferry-perf whoami HOST PORT [--udp] [--timeout S]
               ferry-perf probe HOST PORT [--timeout S]
               ferry-perf ping HOST [--timeout S]
               ferry-perf dns SERVER NAME [--aaaa] [--timeout S]
        HOST and SERVER are numeric IPv4 or IPv6 addresses; the server listens on [::]
        (IPv4 too) unless --bind names one address, on a port of the kernel's choice unless
        --port names one.
        """

    static func main(_ arguments: [String]) -> Never {
        // A probe writing to a reset connection must fail with EPIPE, not die.
        signal(SIGPIPE, SIG_IGN)
        // A parent that blocks SIGTERM (a test runner) must still be able to stop a server.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        sigprocmask(SIG_UNBLOCK, &signals, nil)
        do {
            let line = try run(arguments)
            line.print()
            exit(0)
        } catch .usage(let message) {
            writeStandardError("ferry-perf: \(message)\n\(usage)\n")
            exit(2)
        } catch {
            var line = JSONLine()
            line.add("error", "\(error)")
            line.print()
            writeStandardError("ferry-perf: \(arguments.first ?? ""): \(error)\n")
            exit(1)
        }
    }

    static func run(_ arguments: [String]) throws(PerfError) -> JSONLine {
        guard let command = arguments.first else { throw .usage("no subcommand") }
        var parsed = try ParsedArguments(Array(arguments.dropFirst()))
        switch command {
        case "server":
            try parsed.expectPositionals(0)
            let bind = parsed.option("bind") ?? "::"
            let port = try parsed.port(parsed.option("port") ?? "0")
            try parsed.expectNoMoreOptions()
            try PerfServer(address: SocketAddress(bind, port: port)).run()
        case "tcp-rr", "tcp-crr":
            let address = try parsed.address()
            let run = Transactions(address: address, seconds: try parsed.number("seconds", 3))
            try parsed.expectNoMoreOptions()
            let latencies =
                command == "tcp-rr" ? try run.requestResponse() : try run.connectRequestResponse()
            return latencies.report(test: command, to: address)
        case "udp-stream":
            let address = try parsed.address()
            guard parsed.options["rate"] != nil else { throw .usage("udp-stream needs --rate") }
            let stream = UDPStream(
                address: address, rate: Int(try parsed.number("rate", 0)),
                size: Int(try parsed.number("size", 1200)), seconds: try parsed.number("seconds", 3)
            )
            try parsed.expectNoMoreOptions()
            return try stream.run()
        case "whoami":
            let address = try parsed.address()
            let udp = parsed.flag("udp")
            let timeout = try parsed.number("timeout", 2)
            try parsed.expectNoMoreOptions()
            return try Reachability.whoAmI(address, udp: udp, timeout: timeout)
        case "probe":
            let address = try parsed.address()
            let timeout = try parsed.number("timeout", 10)
            try parsed.expectNoMoreOptions()
            return try Reachability.probe(address, timeout: timeout)
        case "ping":
            try parsed.expectPositionals(1)
            let timeout = try parsed.number("timeout", 2)
            try parsed.expectNoMoreOptions()
            return try Ping.echo(parsed.positionals[0], timeout: timeout)
        case "dns":
            try parsed.expectPositionals(2)
            let query = DNSQuery(
                server: try SocketAddress(parsed.positionals[0], port: 53),
                name: parsed.positionals[1], ipv6: parsed.flag("aaaa"),
                timeout: try parsed.number("timeout", 3))
            try parsed.expectNoMoreOptions()
            return try query.run()
        default:
            throw .usage("unknown subcommand \"\(command)\"")
        }
    }
}

/// Positional words, and `--name value` / `--flag` options taken off as they are read.
struct ParsedArguments {
    static let flags: Set<String> = ["udp", "aaaa"]

    var positionals: [String] = []
    var options: [String: String] = [:]

    init(_ words: [String]) throws(PerfError) {
        var index = 0
        while index < words.count {
            let word = words[index]
            if word.hasPrefix("--") {
                let name = String(word.dropFirst(2))
                if Self.flags.contains(name) {
                    options[name] = "true"
                } else {
                    guard index + 1 < words.count else { throw .usage("\(word) needs a value") }
                    index += 1
                    options[name] = words[index]
                }
            } else {
                positionals.append(word)
            }
            index += 1
        }
    }

    mutating func option(_ name: String) -> String? { options.removeValue(forKey: name) }

    mutating func flag(_ name: String) -> Bool { option(name) != nil }

    mutating func number(_ name: String, _ fallback: Double) throws(PerfError) -> Double {
        guard let text = option(name) else { return fallback }
        guard let value = Double(text), value >= 0 else {
            throw .usage("--\(name) \(text): expected a number")
        }
        return value
    }

    func port(_ text: String) throws(PerfError) -> UInt16 {
        guard let port = UInt16(text) else { throw .usage("\(text): expected a port number") }
        return port
    }

    /// HOST PORT, the two positionals of the client subcommands.
    func address() throws(PerfError) -> SocketAddress {
        try expectPositionals(2)
        return try SocketAddress(positionals[0], port: port(positionals[1]))
    }

    func expectPositionals(_ count: Int) throws(PerfError) {
        guard positionals.count == count else {
            throw .usage("expected \(count) arguments, got \(positionals.count)")
        }
    }

    func expectNoMoreOptions() throws(PerfError) {
        if let name = options.keys.sorted().first { throw .usage("unknown option --\(name)") }
    }
}
