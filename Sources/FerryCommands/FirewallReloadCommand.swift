import FerryFirewall
import FerryPolicy
import FerrySystem

/// `ferry firewall-reload`: puts back every rule Ferry saved under `--config`, for example
/// after `nft flush ruleset` or a firewalld restart.
enum FirewallReloadCommand {
    static func run(_ commandLine: ParsedCommandLine, environment: [String: String]) -> Int32 {
        guard commandLine.arguments.isEmpty else {
            return Ferry.usageFailure("firewall-reload takes no arguments")
        }
        let options = commandLine.options
        do {
            let rootless = HostPrivilege.current().rootless(flag: options.rootless)
            let configSource = ConfigSource(
                environment: environment, rootless: rootless.isRootless)
            let choice = try FirewallChoice.resolve(
                flag: options.firewallDriver, environment: environment,
                configured: { try configSource.config().firewallDriver })
            let lock = try FileLock(path: options.stateDirectory + "/ferry.lock")
            defer { lock.unlock() }
            try choice.open(stateDirectory: options.stateDirectory)?.reload()
            return 0
        } catch {
            return CommandFailure.answer(error)
        }
    }
}
