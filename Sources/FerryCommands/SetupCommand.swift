import FerryBridge
import FerryDNS
import FerrySystem
import FerryWire

#if canImport(Glibc)
    import Glibc
#endif

/// `ferry setup NETNS_PATH`: validate every network first, then set each up in order; a
/// failure tears down the networks already set up, so the call leaves nothing behind.
enum SetupCommand {
    static func run(_ commandLine: ParsedCommandLine, environment: [String: String]) -> Int32 {
        guard commandLine.arguments.count == 1, let namespacePath = commandLine.arguments.first
        else {
            return Ferry.usageFailure("setup takes exactly one argument: NETNS_PATH")
        }
        let options = commandLine.options
        do {
            let request = try SpecRequest.load(
                options, environment: environment, namespacePath: namespacePath)
            let plans = try request.plansForSetup()
            let lock = try FileLock(path: options.stateDirectory + "/ferry.lock")
            defer { lock.unlock() }

            // NetworkNamespace's own error already names the path it could not open.
            let namespace = try NetworkNamespace(path: namespacePath)
            let drivers = NetworkDrivers(
                stateDirectory: options.stateDirectory, firewall: request.firewall,
                ports: try request.portForwards, environment: environment,
                config: { try request.configSource.config() })
            let dns = BridgeDNS(options, port: try Aardvark.port(environment: environment))
            let containerID = request.options.containerID
            var answer: [String: StatusBlock] = [:]
            var done: [NetworkPlan] = []
            let records = ModeRecords(stateDirectory: options.stateDirectory)
            let autoNetworks = request.decisions.filter { $0.driver == "auto" }
            do {
                for plan in plans {
                    answer[plan.networkName] = try drivers.setup(
                        plan, containerID: containerID, in: namespace)
                    done.append(plan)
                }
                for decision in autoNetworks {
                    try records.write(
                        decision.mode, containerID: containerID, network: decision.network)
                }
                // DNS last: aardvark-dns binds on the gateways the bridges now carry.
                try dns.setup(plans.bridgeConfigs, request.options, answer: &answer)
            } catch {
                // Undo the networks that did come up, newest first.
                for finished in done.reversed() {
                    for problem in drivers.teardown(
                        finished, containerID: containerID, in: namespace)
                    {
                        Log.warning("setup", "undoing: \(problem)")
                    }
                }
                for decision in autoNetworks {
                    records.remove(containerID: containerID, network: decision.network)
                }
                throw error
            }
            print(StatusBlock.encodeAnswer(answer))
            return 0
        } catch {
            return CommandFailure.answer(error)
        }
    }
}
