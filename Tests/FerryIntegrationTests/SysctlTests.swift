import Foundation
import Testing

/// Sysctls are written only when they differ, and a read-only /proc is a clear error that
/// leaves nothing behind.
// Root only: the tests create network namespaces and mount namespaces.
@Suite(.enabled(if: TestEnvironment.isRoot, "needs root to create namespaces"))
struct SysctlTests {
    @Test func readOnlyProcIsAClearErrorAndLeavesNothing() throws {
        try withLab { lab in
            // Forwarding off, so setup has to write it.
            _ = try Lab.check(
                ["ip", "netns", "exec", lab.host, "sysctl", "-qw", "net.ipv4.ip_forward=0"])
            let baseline = try Snapshot.take(lab.host)
            let spec = SetupSpec(container: "c1", [lab.ipv4Network().attach(host: 2)])

            // The plugin runs in a mount namespace of its own where /proc/sys is read-only.
            let plugin = [
                TestEnvironment.binary, "--config", lab.configDirectory, "setup",
                lab.namespacePath(lab.container(1)),
            ]
            let script =
                "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys"
                + " && exec \"$@\""
            let result = try Child(
                ["ip", "netns", "exec", lab.host, "unshare", "-m", "sh", "-c", script, "sh"]
                    + plugin, input: spec.json
            ).wait()

            expectErrorAnswer(result)
            #expect(
                result.stdout.contains(
                    "setting sysctl net/ipv4/ip_forward to 1: Read-only file system (errno 30)"),
                "\(result.stdout)")
            try lab.expectNothingLeft(host: baseline)
            let forwarding = try Lab.check(
                ["ip", "netns", "exec", lab.host, "sysctl", "-n", "net.ipv4.ip_forward"])
            #expect(forwarding.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
    }

    @Test func forwardingIsTurnedOnWhenOff() throws {
        try withLab { lab in
            _ = try Lab.check(
                ["ip", "netns", "exec", lab.host, "sysctl", "-qw", "net.ipv4.ip_forward=0"])
            let spec = SetupSpec(container: "c1", [lab.ipv4Network().attach(host: 2)])
            _ = try lab.setUp(lab.container(1), spec)
            let forwarding = try Lab.check(
                ["ip", "netns", "exec", lab.host, "sysctl", "-n", "net.ipv4.ip_forward"])
            #expect(forwarding.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            let inside = try Lab.check(
                [
                    "ip", "netns", "exec", lab.container(1), "sysctl", "-n",
                    "net.ipv4.conf.eth0.arp_notify",
                ])
            #expect(inside.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            try lab.tearDown(lab.container(1), spec)
        }
    }
}
