import FerrySystem
import FerryWire
import Foundation

/// How the netavark-style commands answer a failed run: exactly `{"error": "..."}` on stdout
/// (Podman rejects any other key) and exit 1.
enum CommandFailure {
    static func answer(_ error: any Error) -> Int32 {
        answer(message: "\(error)")
    }

    static func answer(message: String) -> Int32 {
        Log.debug("ferry", "failing: \(message)")
        print(ErrorAnswer.encode(message: message))
        return 1
    }
}

/// Reads the JSON spec from `-f FILE` or from stdin.
func readSpec(_ options: GlobalOptions) throws -> Data {
    if let path = options.inputFile {
        return try withContext("reading network options from \(path)") {
            Data(try FileSystem.readString(path).utf8)
        }
    }
    return try withContext("reading network options from stdin") {
        try FileHandle.standardInput.readToEnd() ?? Data()
    }
}
