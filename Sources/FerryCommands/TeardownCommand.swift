import FerryBridge
import FerrySystem
import FerryWire

#if canImport(Glibc)
    import Glibc
#endif

/// `ferry teardown NETNS_PATH`: best effort over every network, reporting all errors at
/// the end. Termination signals are ignored for its duration, so it never stops halfway;
/// a namespace that is already gone still gets its host side cleaned.
enum TeardownCommand {
    static func run(_ commandLine: ParsedCommandLine, environment: [String: String]) -> Int32 {
        guard commandLine.arguments.count == 1, let namespacePath = commandLine.arguments.first
        else {
            return Ferry.usageFailure("teardown takes exactly one argument: NETNS_PATH")
        }
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] { _ = Glibc.signal(signal, SIG_IGN) }
        Log.debug("teardown", "started; termination signals are ignored until it ends")

        let options = commandLine.options
        do {
            let records = ModeRecords(stateDirectory: options.stateDirectory)
            let request = try SpecRequest.load(
                options, environment: environment, namespacePath: nil, records: records)
            let plans = try request.plansForTeardown()
            let lock = try FileLock(path: options.stateDirectory + "/ferry.lock")
            defer { lock.unlock() }

            let namespace = try openIfPresent(namespacePath)
            let drivers = NetworkDrivers(
                stateDirectory: options.stateDirectory, firewall: request.firewall,
                ports: try request.portForwards, environment: environment,
                config: { try request.configSource.config() })
            // DNS first, as netavark does: aardvark-dns stops before its bridge goes.
            var errors = BridgeDNS(options, port: 53).teardown(
                plans.bridgeConfigs, containerID: request.options.containerID)
            for plan in plans.reversed() {
                errors += drivers.teardown(
                    plan, containerID: request.options.containerID, in: namespace)
            }
            guard errors.isEmpty else {
                return CommandFailure.answer(
                    message: errors.map { "\($0)" }.joined(separator: "; "))
            }
            // Kept after a failed teardown, so that a retry tears down the same mode.
            for decision in request.decisions where decision.driver == "auto" {
                records.remove(containerID: request.options.containerID, network: decision.network)
            }
            return 0
        } catch {
            return CommandFailure.answer(error)
        }
    }

    /// The namespace, or nil when its path no longer exists.
    private static func openIfPresent(_ path: String) throws(SystemError) -> NetworkNamespace? {
        guard FileSystem.exists(path) else {
            Log.info("teardown", "namespace \(path) is gone; cleaning the host side")
            return nil
        }
        return try NetworkNamespace(path: path)
    }
}
