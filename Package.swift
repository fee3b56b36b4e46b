// swift-tools-version:6.2
// Ferry: a container network plugin for Linux. The target list is the architecture:
// dependencies point one way, from the executables down to the C system libraries.
import PackageDescription

let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

// `ferry version` reports the commit it was built from; the C shim carries it as a macro.
let commit =
    Context.gitInformation.map {
        $0.currentCommit + ($0.hasUncommittedChanges ? "-dirty" : "")
    } ?? "unknown"

let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ferry", targets: ["ferry"]),
        .executable(name: "toml-decoder", targets: ["toml-decoder"]),
        .executable(name: "ferry-perf", targets: ["ferry-perf"]),
    ],
    targets: [
        // C: libnl through pkg-config, and a shim for Linux calls Glibc does not export.
        .systemLibrary(
            name: "CLibNL",
            pkgConfig: "libnl-route-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]
        ),
        .target(
            name: "CFerryShim",
            cSettings: [.define("FERRY_COMMIT", to: "\"\(commit)\"")]
        ),
        .systemLibrary(
            name: "CNFTables",
            pkgConfig: "libnftables",
            providers: [.apt(["libnftables-dev"])]
        ),

        // System helpers: errors with errno, file descriptors, logger, lock, namespaces.
        .target(name: "FerrySystem", dependencies: ["CFerryShim"], swiftSettings: strict),

        // IP and MAC address types, shared by every layer above. Pure Swift.
        .target(name: "FerryAddress", swiftSettings: strict),

        // Wire format: netavark's NetworkOptions and StatusBlock. Pure Swift.
        .target(name: "FerryWire", dependencies: ["FerryAddress"], swiftSettings: strict),

        // The engine's packet layer: in-place views, checksums and reply builders. Pure Swift.
        .target(name: "FerryPacket", dependencies: ["FerryAddress"], swiftSettings: strict),

        // TOML 1.0 and containers.conf policy. Pure Swift.
        .target(name: "FerryTOML", swiftSettings: strict),
        .target(
            name: "FerryPolicy",
            dependencies: ["FerryTOML", "FerryWire", "FerrySystem"],
            swiftSettings: strict
        ),

        // Netlink through libnl, named like `ip` subcommands.
        .target(
            name: "FerryNetlink",
            dependencies: ["CLibNL", "CFerryShim", "FerrySystem", "FerryAddress"],
            swiftSettings: strict
        ),

        // nftables through libnftables: Ferry's own table, its rules and their saved state.
        .target(
            name: "FerryFirewall",
            dependencies: ["CNFTables", "FerrySystem", "FerryAddress"],
            swiftSettings: strict
        ),

        // The rootless data path (`ferry pasta`): tap, epoll loop, protocol handlers.
        .target(
            name: "FerryEngine",
            dependencies: ["FerryPacket", "FerryAddress", "FerrySystem", "CFerryShim"],
            swiftSettings: strict
        ),

        // Network modes.
        .target(
            name: "FerryBridge",
            dependencies: [
                "FerryWire", "FerryNetlink", "FerryFirewall", "FerrySystem", "FerryAddress",
            ],
            swiftSettings: strict
        ),

        // DNS for bridge networks: aardvark-dns's files and process, as netavark runs it.
        .target(
            name: "FerryDNS",
            dependencies: ["FerrySystem", "FerryAddress"],
            swiftSettings: strict
        ),

        // Command-line surfaces and the executables.
        .target(
            name: "FerryCommands",
            dependencies: [
                "FerryWire", "FerryPolicy", "FerryBridge", "FerryEngine", "FerryDNS",
                "FerryNetlink", "FerrySystem", "FerryAddress",
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "ferry", dependencies: ["FerryCommands"], swiftSettings: strict),
        .executableTarget(
            name: "toml-decoder",
            dependencies: ["FerryTOML"],
            swiftSettings: strict
        ),
        // A development tool that drives the netlink layer directly, for its tests.
        .executableTarget(
            name: "netlink-probe",
            dependencies: ["FerryNetlink", "FerrySystem"],
            swiftSettings: strict
        ),
        // A development tool that applies and removes firewall rule sets, for its tests.
        .executableTarget(
            name: "nft-probe",
            dependencies: ["FerryFirewall", "FerrySystem", "FerryAddress"],
            swiftSettings: strict
        ),

        // A development tool that runs the engine over a tap it makes in a namespace, for the
        // data path's tests (without the `ferry pasta` command line).
        .executableTarget(
            name: "engine-probe",
            dependencies: ["FerryEngine", "FerrySystem", "FerryAddress", "CFerryShim"],
            swiftSettings: strict
        ),

        // Latency, loss and reachability probes for bench/compare-modes (netperf is not
        // packaged here): a server and clients, each printing one JSON line.
        .executableTarget(name: "ferry-perf", dependencies: ["FerrySystem"], swiftSettings: strict),

        // Holds TestMachine's machine-wide state (test user, /dev/net/tun) for a script
        // until its stdin closes, then lets the last holder restore it.
        .executableTarget(
            name: "test-machine",
            dependencies: ["FerryTestSupport", "FerrySystem"],
            swiftSettings: strict
        ),

        // Paths, namespaces and processes for the tests; never linked into ferry.
        .target(
            name: "FerryTestSupport",
            dependencies: ["FerrySystem"],
            exclude: ["fake-dns.py"],
            swiftSettings: strict
        ),

        .testTarget(
            name: "FerryWireTests",
            dependencies: ["FerryWire", "FerryBridge", "FerryFirewall", "FerryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryPacketTests",
            dependencies: ["FerryPacket", "FerryAddress", "FerryTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryTOMLTests",
            dependencies: ["FerryTOML", "FerryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryPolicyTests",
            dependencies: ["FerryPolicy", "FerryTOML"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryNetlinkTests",
            dependencies: ["FerrySystem", "FerryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryFirewallTests",
            dependencies: ["FerryFirewall", "FerryAddress", "FerrySystem"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryDNSTests",
            dependencies: ["FerryDNS", "FerryAddress", "FerrySystem", "FerryTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryEnginePathTests",
            dependencies: ["FerryEngine", "FerryAddress", "FerrySystem", "FerryTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryEngineTests",
            dependencies: [
                "FerryCommands", "FerryEngine", "FerryTestSupport", "FerrySystem",
                "FerryFirewall", "FerryAddress",
            ],
            // Read in place through TestPaths.packageRoot, not bundled.
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryPerfTests",
            dependencies: ["FerrySystem", "FerryTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryIntegrationTests",
            dependencies: ["FerrySystem", "FerryWire"],
            // Read in place through #filePath by the tests, not bundled.
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ]
)
