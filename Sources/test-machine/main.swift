// test-machine: TestMachine's machine-wide state for scripts (bench/compare-modes), so
// they share it with parallel test runs instead of changing /dev/net/tun by hand.
//
//   test-machine hold      prepares the machine (test user with subordinate ids,
//                          /dev/net/tun 666), prints the user as one JSON line, and holds
//                          it until stdin closes; the last holder to leave restores it
//   test-machine restore   restores the machine when no live process holds it (after a
//                          holder was killed)
import FerrySystem
import FerryTestSupport

#if canImport(Glibc)
    import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments {
    case ["hold"]:
        // Ctrl-C goes to the whole process group: the holder leaves when its stdin closes,
        // which the caller's cleanup does, or the caller's death does for it.
        signal(SIGINT, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        let user = try TestMachine.prepare()
        print(
            #"{"user":"\#(user.name)","uid":\#(user.uid),"gid":\#(user.gid),"#
                + #""subordinate_start":\#(user.subordinateStart)}"#)
        fflush(nil)
        var byte: UInt8 = 0
        while true {
            let count = read(0, &byte, 1)
            if count > 0 || (count < 0 && errno == EINTR) { continue }
            break
        }
        // exit runs TestMachine's atexit release.
        exit(0)
    case ["restore"]:
        try TestMachine.restoreIfUnused()
    default:
        writeStandardError("usage: test-machine hold | test-machine restore\n")
        exit(2)
    }
} catch {
    writeStandardError("test-machine: \(error)\n")
    exit(1)
}
