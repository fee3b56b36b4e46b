import FerryEngine
import FerrySystem
import Foundation

/// `ferry pasta [options] PID | --netns PATH`, also the binary run as `pasta`: Ferry's
/// rootless engine with pasta's command line (docs/pasta.1.md).
///
/// Without `-f`, the command spawns itself as a daemon in a new session
/// (`ferry __pasta-daemon ARGS`), which attaches, writes the pid file, says "ready" on a
/// pipe and runs the engine; the command exits 0 once it reads "ready", or 1 with the
/// daemon's error. With `-f` the same steps run in this process.
public enum PastaCommand {
    static let readyDescriptor: Int32 = 3

    /// `program` is what getopt would print in front of its messages (argv[0]).
    public static func run(program: String, _ arguments: [String]) -> Int32 {
        let options: PastaOptions
        do {
            options = try PastaOptions.parse(arguments)
        } catch {
            writeStandardError("\(program): \(error)\n")
            return 1
        }
        if options.showHelp {
            // `ferry pasta --help` names the subcommand; the binary run as `pasta` is one.
            let named = program.split(separator: "/").last == "pasta"
            let command = named ? program : program + " pasta"
            print(usage(command), terminator: "")
            return 0
        }
        if options.showVersion {
            print("ferry pasta \(FerryVersion.version)")
            return 0
        }
        if options.debug { Log.level = .debug }
        if options.quiet && !options.debug { Log.level = .error }
        if options.foreground { return serve(options, ready: nil) }
        return daemonize(arguments)
    }

    /// `ferry __pasta-daemon ARGS`: the background half, with the ready pipe on fd 3.
    static func runDaemon(_ arguments: [String]) -> Int32 {
        guard let options = try? PastaOptions.parse(arguments) else { return 1 }
        if options.debug { Log.level = .debug }
        if options.quiet && !options.debug { Log.level = .error }
        return serve(options, ready: FileDescriptor(taking: readyDescriptor))
    }

    /// Spawns the daemon and waits for its word.
    static func daemonize(_ arguments: [String]) -> Int32 {
        do {
            try startDaemon(arguments)
            return 0
        } catch let error as MessageError {
            writeStandardError(error.description + "\n")
            return 1
        } catch {
            writeStandardError("pasta: \(error)\n")
            return 1
        }
    }

    /// Spawns `ferry __pasta-daemon ARGS` in a new session and returns once it says
    /// "ready"; throws with the daemon's own message otherwise. `ferry setup` calls this
    /// directly rather than running `ferry pasta`, which would cost one more exec.
    static func startDaemon(_ arguments: [String]) throws {
        var ends: [Int32] = [0, 0]
        if pipe(&ends) != 0 { throw SystemError.lastError("creating a pipe") }
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let reading = FileDescriptor(taking: ends[0])
        let writing = FileDescriptor(taking: ends[1])
        let pid = try PastaSpawn.spawn(
            ["__pasta-daemon"] + arguments, descriptors: [writing.rawValue],
            newSession: true)
        writing.close()
        let answer = String(decoding: try reading.readAll(), as: UTF8.self)
        // Once ready, the daemon runs on; it is adopted by init when the caller exits.
        if answer == "ready\n" { return }
        _ = PastaSpawn.wait(pid)
        let message = answer.trimmingCharacters(in: ["\n", " "])
        throw MessageError(message.isEmpty ? "pasta: the engine exited early" : message)
    }

    /// Attaches, writes the pid file, reports ready, and runs the engine until the
    /// namespace goes.
    static func serve(_ options: PastaOptions, ready: FileDescriptor?) -> Int32 {
        let session: PastaSession
        let engine: Engine
        raiseDescriptorLimit()
        do {
            session = try PastaSession.attach(options)
            engine = Engine(config: session.config, tap: session.tap)
            engine.namespaceSockets = session.namespaceSockets
            try engine.bindForwards()
            if let pidFile = options.pidFile {
                try FileSystem.writeAtomically(pidFile, "\(getpid())\n")
            }
        } catch {
            let message = "\(error)".hasPrefix("pasta") ? "\(error)" : "pasta: \(error)"
            if let ready {
                try? ready.writeAll(Array("\(message)\n".utf8))
            } else {
                writeStandardError("\(message)\n")
            }
            return 1
        }

        // Ready: the caller may go on; a daemon lets go of the caller's terminal and pipes.
        if let ready {
            try? ready.writeAll(Array("ready\n".utf8))
            ready.close()
            detachStandardStreams()
        }

        EngineLifecycle.installed = session.lifecycle
        do {
            try engine.run(
                quit: session.lifecycle.descriptor, isGone: session.lifecycle.namespaceGone)
        } catch {
            Log.error("pasta", "\(error)")
            return 1
        }
        if let pidFile = options.pidFile { try? FileSystem.remove(pidFile) }
        return 0
    }

    /// Raises the soft limit on open descriptors to the hard one, as pasta does: each
    /// forwarded port is a listener, each spliced `-T` connection two sockets and two pipes
    /// (up to 1024 of them), and the usual soft limit of 1024 runs out long before.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max
        else { return }
        limit.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
            Log.warning("pasta", "raising the descriptor limit failed: errno \(errno)")
        }
    }

    /// Points stdin, stdout and stderr at /dev/null, so whoever waits on our pipes (Podman
    /// reads pasta's output to the end) is not held up by the daemon.
    static func detachStandardStreams() {
        let null = open("/dev/null", O_RDWR)
        guard null >= 0 else { return }
        for fd: Int32 in 0...2 { dup2(null, fd) }
        if null > 2 { close(null) }
    }

    static func usage(_ program: String) -> String {
        """
        Usage: \(program) [OPTION]... PID
               \(program) [OPTION]... --netns PATH [--userns PATH]

        Ferry's rootless network engine, with pasta's command line (see docs/pasta.1.md).
          --config-net          configure the tap: addresses, routes, MTU
          -t, -u, -T, -U SPEC   port forwarding specs (none, auto, ports; default auto)
          --dns-forward ADDR    DNS sent to ADDR goes to the host's resolvers
          --no-map-gw           do not map the gateway to the host's loopback
          --map-guest-addr ADDR ADDR reaches the host's own address
          -P, --pid FILE        write the engine's pid to FILE
          -f, --foreground      stay in the foreground
          -m, --mtu MTU         the tap's MTU (default 65520)
          -a ADDR, -n PREFIX, -g GW   addresses instead of the host's
          -4, -6                IPv4 or IPv6 only
          -i IF                 the host's template interface
          -I NAME               the tap's name in the container
          --ns-mac-addr MAC     the container's MAC
          -q, --quiet; -d, --debug; -h, --help; --version

        """
    }
}

extension PastaCommand {
    /// The exit code when argv is pasta's (`ferry pasta ...`, argv[0] named `pasta`, or one
    /// of the internal steps); nil when it is netavark's.
    public static func route(_ argv: [String]) -> Int32? {
        let program = argv.first ?? "ferry"
        let arguments = Array(argv.dropFirst())
        if program.split(separator: "/").last == "pasta" {
            return run(program: program, arguments)
        }
        switch arguments.first {
        case "pasta": return run(program: program, Array(arguments.dropFirst()))
        case "__pasta-daemon": return runDaemon(Array(arguments.dropFirst()))
        case "__pasta-attach": return PastaAttach.run(Array(arguments.dropFirst()))
        default: return nil
        }
    }
}
