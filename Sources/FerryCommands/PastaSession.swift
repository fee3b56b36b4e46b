import CFerryShim
import FerryAddress
import FerryEngine
import FerrySystem
import Foundation

/// Attaching to the container: the namespaces to join, the plan from the host's template,
/// the attach helper that creates and configures the tap, and what the engine runs on.
struct PastaSession {
    let tap: FileDescriptor
    let config: EngineConfig
    let lifecycle: EngineLifecycle
    /// The attach helper, kept on in the container when `-T`, `-U` or `auto` need it.
    let namespaceSockets: NamespaceSockets?

    static func attach(_ options: PastaOptions) throws -> PastaSession {
        // 1. The namespaces, held open so their paths cannot change under us.
        let (netnsPath, usernsPath, watchPID) = try paths(options)
        let netns = try FileDescriptor.open(netnsPath, O_RDONLY)
        let netnsInode = EngineLifecycle.inode(of: netnsPath) ?? 0
        let userns = try usernsToJoin(explicit: usernsPath, netns: netns)

        // 2. The plan, from the host's template interface.
        let template = try withContext("pasta: reading the host's interfaces") {
            try PastaHostTemplate.read(interface: options.templateInterface)
        }
        let network = PastaNetworkPlan(options: options, template: template)
        if !options.quiet {
            for warning in network.warnings { Log.warning("pasta", warning) }
        }
        if template == nil && options.configureNetwork {
            Log.info("pasta", "no default route on the host: using 169.254.2.1/24")
        }
        let resolvers = PastaNetworkPlan.resolvers(
            fromResolvConf: (try? FileSystem.readString(options.resolvConf ?? "/etc/resolv.conf"))
                ?? "")

        // 3. The tap, made inside the namespace by a single-threaded helper, which stays
        //    there when the forwards need sockets or files in the container.
        var config = try network.engineConfig(
            options: options, interfaceName: network.interfaceName, resolvers: resolvers)
        var plan = network.namespacePlan(options: options)
        plan.serve = config.needsNamespaceHelper
        plan.parent = getpid()
        let attached = try withContext("pasta: attaching to \(netnsPath)") {
            try attachHelper(plan, userns: userns, netns: netns)
        }
        config.interfaceName = attached.name
        // Only the tests set it, to see a half-closed connection expire in seconds.
        if let text = ProcessInfo.processInfo.environment["FERRY_SPLICE_HALF_CLOSED_TIMEOUT"],
            let seconds = Int(text), seconds > 0
        {
            config.spliceHalfClosedTimeout = seconds
        }

        // 4. How the engine learns that the namespace is gone.
        let watch: EngineLifecycle.Watch =
            watchPID.map { .process($0) } ?? .path(netnsPath, inode: netnsInode)
        let lifecycle = try EngineLifecycle(watch: watch)
        return PastaSession(
            tap: attached.tap, config: config, lifecycle: lifecycle,
            namespaceSockets: attached.helper)
    }

    /// The namespace paths of the target, and the PID to watch when there is one.
    static func paths(_ options: PastaOptions) throws -> (String, String?, pid_t?) {
        switch options.target {
        case .process(let pid):
            return ("/proc/\(pid)/ns/net", options.userns ?? "/proc/\(pid)/ns/user", pid)
        case .path(let path):
            return (path, options.userns, nil)
        case nil:
            throw MessageError("pasta: no namespace to attach to")
        }
    }

    /// The user namespace to join: the one given, else the one owning the network
    /// namespace; nil when it is ours already (setns would refuse it).
    static func usernsToJoin(explicit: String?, netns: FileDescriptor) throws -> FileDescriptor? {
        let candidate: FileDescriptor
        if let explicit {
            candidate = try FileDescriptor.open(explicit, O_RDONLY)
        } else {
            let fd = ferry_pasta_ns_get_userns(netns.rawValue)
            // Owned by an ancestor of ours (EPERM): nothing to join.
            guard fd >= 0 else { return nil }
            candidate = FileDescriptor(taking: fd)
        }
        var theirs = stat()
        var ours = stat()
        fstat(candidate.rawValue, &theirs)
        stat("/proc/self/ns/user", &ours)
        return theirs.st_ino == ours.st_ino ? nil : candidate
    }

    /// The tap, its name, and the helper when the plan keeps it serving.
    struct Attached {
        var tap: FileDescriptor
        var name: String
        var helper: NamespaceSockets?
    }

    /// Spawns the attach helper and receives the tap; with `plan.serve`, the helper stays,
    /// and its socket and pid become the engine's NamespaceSockets.
    static func attachHelper(
        _ plan: PastaNamespacePlan, userns: FileDescriptor?, netns: FileDescriptor
    ) throws -> Attached {
        var pair: [Int32] = [0, 0]
        if socketpair(
            AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0,
            &pair) != 0
        {
            throw SystemError.lastError("creating the attach socket")
        }
        let ours = FileDescriptor(taking: pair[0])
        let theirs = FileDescriptor(taking: pair[1])

        let json = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        var descriptors = [theirs.rawValue, netns.rawValue]
        var enter = "-1,4"
        if let userns {
            descriptors = [theirs.rawValue, userns.rawValue, netns.rawValue]
            enter = "4,5"
        }
        let pid = try PastaSpawn.spawn(
            ["__pasta-attach", json], descriptors: descriptors,
            environment: ["FERRY_ENTER_NAMESPACES=\(enter)"])
        theirs.close()

        var buffer = [UInt8](repeating: 0, count: 4096)
        var received: Int32 = -1
        let count = ferry_pasta_receive_fd(ours.rawValue, &buffer, buffer.count, &received)
        let reply = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
        if reply.hasPrefix("ok "), received >= 0 {
            let tap = FileDescriptor(taking: received)
            let name = String(reply.dropFirst(3))
            guard plan.serve else {
                _ = PastaSpawn.wait(pid)
                return Attached(tap: tap, name: name, helper: nil)
            }
            return Attached(
                tap: tap, name: name, helper: NamespaceSockets(control: ours, helper: pid))
        }
        let status = PastaSpawn.wait(pid)
        if received >= 0 { close(received) }
        if reply.hasPrefix("error: ") { throw MessageError(String(reply.dropFirst(7))) }
        throw MessageError("the attach helper exited with status \(status) and no answer")
    }
}
