import Foundation
import Testing

/// Calls in the wrong order, at the same time, or interrupted.
// Root only: the tests create network namespaces, veths and bridges.
@Suite(.enabled(if: TestEnvironment.isRoot, "needs root to create network namespaces"))
struct LifecycleTests {
    /// 16 setups at once on a network whose bridge does not exist yet all succeed, and 16
    /// teardowns at once leave nothing.
    @Test func parallelSetupsOnNewNetwork() throws {
        let count = 16
        try withLab(containers: count) { lab in
            let baseline = try Snapshot.take(lab.host)
            let network = lab.ipv4Network()
            let specs = (1...count).map {
                SetupSpec(container: "c\($0)", [network.attach(host: 10 + $0)])
            }

            let setups = try (1...count).map {
                try lab.start("setup", lab.container($0), spec: specs[$0 - 1].json)
            }
            let results = setups.map { $0.wait() }
            for (number, result) in zip(1..., results) {
                #expect(result.status == 0, "setup \(number): \(result.stdout) \(result.stderr)")
            }
            let ports = try NamespaceState.links(lab.host).filter { $0.master == network.bridge }
            #expect(ports.count == count)
            for number in 1...count {
                let addresses = try NamespaceState.addresses(lab.container(number))
                #expect(addresses.contains { $0.cidr == "10.88.0.\(10 + number)/24" })
            }

            let teardowns = try (1...count).map {
                try lab.start("teardown", lab.container($0), spec: specs[$0 - 1].json)
            }
            for (number, result) in zip(1..., teardowns.map { $0.wait() }) {
                #expect(result.status == 0, "teardown \(number): \(result.stdout) \(result.stderr)")
            }
            try lab.expectNothingLeft(host: baseline)
        }
    }

    /// The container's namespace is gone before teardown: exit 0, and the host side (the
    /// bridge; the kernel removes the host veth with its peer) is cleaned.
    @Test func teardownAfterNamespaceDeleted() throws {
        try withLab(containers: 2) { lab in
            let baseline = try Snapshot.take(lab.host)
            let spec = SetupSpec(container: "c1", [lab.dualStackNetwork().attach(host: 2)])
            _ = try lab.setUp(lab.container(1), spec)
            try lab.deleteNamespace(lab.container(1))

            try lab.tearDown(lab.container(1), spec)
            try lab.expectNothingLeft(host: baseline, containers: [lab.container(2)])
        }
    }

    /// SIGTERM a few milliseconds into teardown: teardown still finishes, nothing is left.
    /// The signal goes once the plugin says (at debug level) that teardown has begun; a
    /// signal before the program even runs would test exec, not teardown.
    @Test(arguments: [1, 4, 10])
    func sigtermDuringTeardown(delayMilliseconds: Int) throws {
        try withLab { lab in
            let baseline = try Snapshot.take(lab.host)
            let spec = SetupSpec(
                container: "c1",
                [
                    lab.dualStackNetwork(0).attach(as: "eth0", host: 2),
                    lab.ipv4Network(1).attach(as: "eth1", host: 2),
                ])
            _ = try lab.setUp(lab.container(1), spec)

            let teardown = try lab.start(
                "teardown", lab.container(1), spec: spec.json,
                environment: ["FERRY_LOG": "debug"])
            #expect(teardown.waitForStderr(containing: "teardown: started"))
            usleep(UInt32(delayMilliseconds * 1000))
            teardown.terminate()
            let result = teardown.wait()
            #expect(result.stdout.isEmpty || result.stdout.hasPrefix("{\"error\""))
            try lab.expectNothingLeft(host: baseline)
        }
    }

    /// Teardown twice: the second call finds nothing to do and still exits 0.
    @Test func secondTeardownIsHarmless() throws {
        try withLab { lab in
            let baseline = try Snapshot.take(lab.host)
            let spec = SetupSpec(container: "c1", [lab.ipv4Network().attach(host: 2)])
            _ = try lab.setUp(lab.container(1), spec)
            try lab.tearDown(lab.container(1), spec)
            try lab.tearDown(lab.container(1), spec)
            try lab.expectNothingLeft(host: baseline)
        }
    }
}
