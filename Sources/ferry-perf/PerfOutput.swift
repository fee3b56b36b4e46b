import FerrySystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a probe reports when it fails; the message reads "what failed: why".
enum PerfError: Error, CustomStringConvertible {
    case usage(String)
    case system(SystemError)
    case failed(String)

    var description: String {
        switch self {
        case .usage(let message): "usage: \(message)"
        case .system(let error): "\(error)"
        case .failed(let message): message
        }
    }

    /// The errno a system call failed with, read at once, as a PerfError.
    static func lastError(_ operation: String) -> PerfError {
        .system(SystemError.lastError(operation))
    }
}

/// One JSON object on one line, keys in the order they were added.
struct JSONLine {
    private var fields: [String] = []

    mutating func add(_ key: String, _ value: String) {
        fields.append("\(Self.quoted(key)):\(Self.quoted(value))")
    }

    mutating func add(_ key: String, _ value: Int) {
        fields.append("\(Self.quoted(key)):\(value)")
    }

    /// A fractional number, with three decimals unless told: enough for µs, % and
    /// transactions/s; wall-clock seconds want six.
    mutating func add(_ key: String, _ value: Double, decimals: Int = 3) {
        let text = value.isFinite ? String(format: "%.\(decimals)f", value) : "null"
        fields.append("\(Self.quoted(key)):\(text)")
    }

    mutating func add(_ key: String, _ values: [String]) {
        fields.append("\(Self.quoted(key)):[\(values.map(Self.quoted).joined(separator: ","))]")
    }

    var text: String { "{" + fields.joined(separator: ",") + "}" }

    /// Prints the line and flushes, so a reader on a pipe sees it at once.
    func print() {
        Swift.print(text)
        fflush(nil)
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case _ where scalar.value < 0x20:
                result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

/// CLOCK_MONOTONIC in nanoseconds, for intervals.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// CLOCK_REALTIME in seconds, for moments another process compares with its own clock.
func wallClockSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Sleeps for `nanoseconds`, resuming after signals.
func sleepNanoseconds(_ nanoseconds: UInt64) {
    var request = timespec(
        tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
