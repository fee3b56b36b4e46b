// The toml-test decoder interface: TOML on stdin, tagged JSON on stdout.
import FerryTOML

#if canImport(Glibc)
    import Glibc
#endif

var input: [UInt8] = []
var buffer = [UInt8](repeating: 0, count: 65536)
while true {
    let count = read(0, &buffer, buffer.count)
    if count <= 0 { break }
    input.append(contentsOf: buffer[0..<count])
}

do {
    let table = try TOML.parse(bytes: input, file: "<stdin>")
    print(TaggedJSON.encode(table))
} catch {
    FileHandleWriter.standardError("toml-decoder: \(error)\n")
    exit(1)
}
