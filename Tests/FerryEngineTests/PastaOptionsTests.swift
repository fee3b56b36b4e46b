import FerryAddress
import FerryTestSupport
import Foundation
import Testing

@testable import FerryCommands

/// `ferry pasta`'s command line: every form Podman 5 passes, the typed port specs, and
/// getopt_long's error texts, which Podman matches on.
struct PastaOptionsTests {
    @Test func podmanFiveCommandLine() throws {
        let options = try PastaOptions.parse([
            "--config-net", "-t", "8080-8080:80-80", "-t", "127.0.0.1/8443-8443:443-443",
            "--dns-forward", "169.254.1.1", "-u", "none", "-T", "none", "-U", "none",
            "--no-map-gw", "--quiet", "--netns", "/run/user/1000/netns/netns-1",
            "--map-guest-addr", "169.254.1.2",
        ])
        #expect(options.configureNetwork)
        #expect(options.target == .path("/run/user/1000/netns/netns-1"))
        #expect(options.dnsForward == [IPAddress("169.254.1.1")!])
        #expect(options.mapGuestAddress == [IPAddress("169.254.1.2")!])
        #expect(!options.mapGateway)
        #expect(options.quiet)
        #expect(options.udpPorts == [.none])
        #expect(options.tcpNamespacePorts == [.none] && options.udpNamespacePorts == [.none])
        #expect(
            options.tcpPorts == [
                .ports(PortForwardRule(ranges: [.init(ports: 8080...8080, target: 80...80)])),
                .ports(
                    PortForwardRule(
                        address: IPAddress("127.0.0.1"),
                        ranges: [.init(ports: 8443...8443, target: 443...443)])),
            ])
    }

    @Test func everyOtherOption() throws {
        let options = try PastaOptions.parse([
            "-f", "-P", "/tmp/p.pid", "-m1500", "-a", "10.0.2.15", "-n", "255.255.255.0",
            "-g", "10.0.2.2", "-a", "fd00::2", "-4", "-i", "eth1", "-I", "ferry0",
            "--ns-mac-addr", "02:00:00:00:00:01", "--userns", "/proc/9/ns/user", "--map-gw",
            "--pid=/tmp/q.pid", "--resolv-conf", "/tmp/resolv.conf", "4242",
        ])
        #expect(options.foreground)
        #expect(options.pidFile == "/tmp/q.pid")
        #expect(options.mtu == 1500)
        #expect(options.addresses == [IPAddress("10.0.2.15")!, IPAddress("fd00::2")!])
        #expect(options.prefixLength == 24)
        #expect(options.gateways == [IPAddress("10.0.2.2")!])
        #expect(options.ipv4Only && !options.ipv6Only)
        #expect(options.templateInterface == "eth1")
        #expect(options.namespaceInterface == "ferry0")
        #expect(options.namespaceMAC == MACAddress("02:00:00:00:00:01"))
        #expect(options.userns == "/proc/9/ns/user")
        #expect(options.mapGateway)
        #expect(options.resolvConf == "/tmp/resolv.conf")
        #expect(options.target == .process(4242))
        // Clustered flags and an abbreviated long option, as getopt_long takes them.
        let clustered = try PastaOptions.parse(["-6fq", "--config", "--netn=/x"])
        #expect(clustered.ipv6Only && clustered.foreground && clustered.quiet)
        #expect(clustered.configureNetwork && clustered.target == .path("/x"))
    }

    @Test(arguments: [
        ("none", "none"), ("auto", "auto"), ("all", "all"), ("8080", "8080"),
        ("22,80-90", "22,80-90"), ("8080:80", "8080:80"), ("8080-8081:80-81", "8080-8081:80-81"),
        ("8000-8009:9000", "8000-8009:9000-9009"), ("127.0.0.1/8080", "127.0.0.1/8080"),
        ("::1/53", "::1/53"), ("%lo/22", "%lo/22"), ("~3000", "~3000"),
        ("1-65535,~22,~3000-3010", "1-65535,~22,~3000-3010"),
    ])
    func portSpecs(text: String, spelled: String) throws {
        #expect(try PortForwardSpec(parsing: text).description == spelled)
    }

    @Test(arguments: ["", "0", "65536", "80-70", "8080-8081:80-82", "a", "1.2.3/80", "80:"])
    func badPortSpecs(text: String) {
        #expect(throws: PastaUsageError.invalidPortSpec(text)) {
            try PortForwardSpec(parsing: text)
        }
    }

    @Test(arguments: [
        (["--x"], "unrecognized option '--x'"),
        (["--x=1"], "unrecognized option '--x=1'"),
        (["--map-guest-address", "1.2.3.4"], "unrecognized option '--map-guest-address'"),
        (["-x"], "invalid option -- 'x'"),
        (["-4x"], "invalid option -- 'x'"),
        (["--netns"], "option '--netns' requires an argument"),
        (["-P"], "option requires an argument -- 'P'"),
        (["--quiet=yes"], "option '--quiet' doesn't allow an argument"),
        (
            ["--map", "x"],
            "option '--map' is ambiguous; possibilities: '--map-gw' '--map-guest-addr'"
        ),
        (["-m", "big", "1"], "invalid value 'big' for '--mtu'"),
        (["-t", "80-70", "1"], "invalid port specification '80-70'"),
        (["--config-net"], "no namespace to attach to: give a PID or --netns PATH"),
        (["--netns", "/x", "12"], "a PID and --netns cannot both be given"),
        (["-4", "-6", "1"], "-4 and -6 cannot both be given"),
    ])
    func usageErrors(arguments: [String], message: String) {
        #expect(throws: PastaUsageError.self) { try PastaOptions.parse(arguments) }
        do {
            _ = try PastaOptions.parse(arguments)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func hostTemplatePlanSkipsUnreachableGateways() throws {
        let template = PastaHostTemplate(
            interfaceName: "eth0",
            addresses: [IPNetwork("192.0.2.10/24")!, IPNetwork("2001:db8::10/64")!],
            routes: [
                PastaNetworkPlan.defaultRoute(via: IPAddress("192.0.2.1")!),
                PastaNetworkPlan.defaultRoute(via: IPAddress("fe80::1")!),
                .init(destination: IPNetwork("198.18.0.0/15")!, gateway: IPAddress("10.9.9.9")),
            ])
        let plan = PastaNetworkPlan(options: PastaOptions(), template: template)
        #expect(plan.interfaceName == "eth0" && plan.mtu == 65520)
        #expect(plan.ipv4?.address == IPNetwork("192.0.2.10/24"))
        #expect(plan.ipv4?.gateway == IPAddress("192.0.2.1"))
        #expect(plan.ipv6?.gateway == IPAddress("fe80::1"))
        #expect(plan.ipv4?.routes.count == 1)
        #expect(plan.warnings.count == 1)
        #expect(plan.warnings.first?.contains("198.18.0.0/15 via 10.9.9.9") == true)
    }

    @Test func resolvConfNameservers() {
        let text = "# c\nnameserver 127.0.0.53\nsearch x\nnameserver fe80::1%eth0\nnameserver\n"
        #expect(
            PastaNetworkPlan.resolvers(fromResolvConf: text) == [
                IPAddress("127.0.0.53")!, IPAddress("fe80::1")!,
            ])
    }
}

/// The exit codes and stderr of the built binary, as Podman sees them.
struct PastaBinaryTests {
    static func run(_ argv0: String, _ arguments: [String]) throws -> (Int32, String) {
        let ferry = try #require(TestPaths.product("ferry"), "ferry is not built").path
        let process = Process()
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        // argv[0] is set through exec -a, which Process cannot do: run it under bash.
        process.executableURL = URL(filePath: "/bin/bash")
        process.arguments = ["-c", "exec -a \"$0\" \"$@\"", argv0, ferry] + arguments
        try process.run()
        let text = String(
            decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func unknownLongOptionExitsOneWithGetoptText() throws {
        let (status, text) = try Self.run(
            "ferry",
            [
                "pasta", "--map-guest-addr", "169.254.1.2",
                "--no-such", "--netns", "/x",
            ])
        #expect(status == 1)
        #expect(text.contains("ferry: unrecognized option '--no-such'"))
    }

    @Test func unknownShortOptionExitsOne() throws {
        let (status, text) = try Self.run("ferry", ["pasta", "-Z"])
        #expect(status == 1)
        #expect(text.contains("ferry: invalid option -- 'Z'"))
    }

    @Test func runAsPastaTakesPastaCommandLine() throws {
        let (status, text) = try Self.run("/usr/bin/pasta", ["--bogus"])
        #expect(status == 1)
        #expect(text == "/usr/bin/pasta: unrecognized option '--bogus'\n")
        let (helpStatus, _) = try Self.run("pasta", ["--help"])
        #expect(helpStatus == 0)
    }

    @Test func netavarkFlagsDoNotApply() throws {
        // -c is netavark's --config; for pasta it is an invalid option.
        let (status, text) = try Self.run("ferry", ["pasta", "-c", "/tmp", "1"])
        #expect(status == 1)
        #expect(text.contains("invalid option -- 'c'"))
    }
}
