import FerryPolicy
import Testing

@Suite struct HostPrivilegeTests {
    static let initialMap = "         0          0 4294967295\n"
    static let childMap = "         0       1000          1\n         1     100000      65536\n"
    // CapEff with all of a root shell's capabilities, and one without bit 12.
    static let fullCaps = "Name:\tx\nCapEff:\t000001ffffffffff\n"
    static let noNetAdmin = "Name:\tx\nCapEff:\t000001ffffffefff\n"

    @Test func parsesCapEffAndUidMap() {
        let root = HostPrivilege.parse(
            effectiveUID: 0, procStatus: Self.fullCaps, uidMap: Self.initialMap)
        #expect(root.hasNetAdmin && root.inInitialUserNamespace)
        let child = HostPrivilege.parse(
            effectiveUID: 0, procStatus: Self.noNetAdmin, uidMap: Self.childMap)
        #expect(!child.hasNetAdmin && !child.inInitialUserNamespace)
    }

    @Test func rootlessRules() {
        let host = HostPrivilege(effectiveUID: 0, hasNetAdmin: true, inInitialUserNamespace: true)
        #expect(host.rootless(flag: nil).isRootless == false)
        #expect(host.rootless(flag: false).isRootless == false)
        #expect(
            host.rootless(flag: true) == RootlessStatus(isRootless: true, reason: "--rootless true")
        )

        let user = HostPrivilege(
            effectiveUID: 1000, hasNetAdmin: false, inInitialUserNamespace: true)
        #expect(user.rootless(flag: false).isRootless)
        #expect(user.rootless(flag: nil).reason == "effective uid 1000")

        let noCap = HostPrivilege(effectiveUID: 0, hasNetAdmin: false, inInitialUserNamespace: true)
        #expect(noCap.rootless(flag: nil).isRootless)

        let nested = HostPrivilege(
            effectiveUID: 0, hasNetAdmin: true, inInitialUserNamespace: false)
        #expect(nested.rootless(flag: nil).isRootless)
        #expect(nested.rootless(flag: nil).reason.contains("user namespace"))
    }
}
