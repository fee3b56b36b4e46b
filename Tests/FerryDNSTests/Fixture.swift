import FerryTestSupport
import Foundation

/// The files under Tests/FerryDNSTests/Fixtures.
enum Fixture {
    static func path(_ name: String) -> String {
        TestPaths.packageRoot.appending(path: "Tests/FerryDNSTests/Fixtures/\(name)").path
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }
}
