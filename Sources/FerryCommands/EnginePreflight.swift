import FerryPolicy
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// The engine's answer to the policy's "can you run here?": containers.conf's
/// `pasta_options` must be options the engine takes, and the calling user must be able to
/// create a tap in the container's namespace. The tap is made by the same helper the
/// engine uses, and goes away with its last descriptor, which the check closes.
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
            let probe = PastaNamespacePlan(
                interfaceName: "ferrypf\(UInt16.random(in: 0...UInt16.max))", configure: false,
                mtu: PastaNetworkPlan.defaultMTU, mac: nil, addresses: [], routes: [])
            let (tap, name) = try PastaSession.runAttachHelper(probe, userns: userns, netns: netns)
            tap.close()
            return .ready("created and removed tap \(name) in \(path)")
        } catch {
            return .cannotRun("creating a tap in \(path): \(error)")
        }
    }
}
