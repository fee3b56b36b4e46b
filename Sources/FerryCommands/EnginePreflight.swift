import CFerryShim
import FerryPolicy
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// The engine's answer to the policy's "can you run here?": containers.conf's
/// `pasta_options` must be options the engine takes, and the calling user must be able to
/// create a tap in the container's namespace. The tap is made by a forked child that joins
/// the container's namespaces as the engine's attach helper does (no exec: a few
/// milliseconds less per setup), and goes away as that child exits.
struct EnginePreflight: ModePreflight {
    func check(_ network: NetworkRequest, config: ContainersConf, context: PreflightContext)
        -> PreflightAnswer
    {
        do {
            // The target only completes the command line; the options are what is checked.
            let target = context.namespacePath ?? "/proc/self/ns/net"
            _ = try PastaOptions.parse(
                ["--config-net"] + config.pastaOptions + ["--netns", target])
        } catch {
            return .cannotRun(
                "pasta_options \(config.pastaOptions): the engine refuses them: \(error)")
        }
        guard let path = context.namespacePath else {
            return .ready("pasta_options accepted; no namespace to try a tap in")
        }
        do {
            let netns = try FileDescriptor.open(path, O_RDONLY)
            let userns = try PastaSession.usernsToJoin(explicit: nil, netns: netns)
            let name = "ferrypf\(UInt16.random(in: 0...UInt16.max))"
            var actual = [CChar](repeating: 0, count: 16)
            var which: UnsafePointer<CChar>? = nil
            let code = ferry_pasta_probe_tap(
                userns?.rawValue ?? -1, netns.rawValue, name, &actual, &which)
            guard code == 0 else {
                let step = which.map { String(cString: $0) } ?? "tap"
                let operation = step == "tap" ? "making the tap" : "joining the \(step)"
                throw SystemError(operation, errno: code)
            }
            let made = String(
                decoding: actual.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .ready("created and removed tap \(made) in \(path)")
        } catch {
            return .cannotRun("creating a tap in \(path): \(error)")
        }
    }
}
