import FerryFirewall
import FerryWire

extension BridgeConfig {
    /// Podman's port mappings as the firewall takes them, checked before anything is set
    /// up: tcp and udp only, a host_ip that is an address or empty, ranges that fit.
    public static func portForwards(_ mappings: [PortMapping]) throws(BridgeConfigError)
        -> [PortForward]
    {
        var forwards: [PortForward] = []
        for mapping in mappings {
            func refuse(_ reason: String) -> BridgeConfigError {
                let host = mapping.hostIP.contains(":") ? "[\(mapping.hostIP)]" : mapping.hostIP
                let ports = "\(mapping.hostPort) -> \(mapping.containerPort)"
                return .invalidPortMapping(
                    mapping: "\(mapping.protocol) \(host):\(ports)", reason: reason)
            }
            let count = max(mapping.range, 1)
            for name in mapping.protocol.split(separator: ",").map(String.init) {
                guard let transport = Transport(rawValue: name) else {
                    if name == "sctp" {
                        throw refuse("sctp is not supported: this kernel has no sctp module")
                    }
                    throw refuse("unknown protocol \(name.quoted) (expected tcp or udp)")
                }
                guard let host = HostAddress(hostIP: mapping.hostIP) else {
                    throw refuse("host_ip \(mapping.hostIP.quoted) is not an IP address")
                }
                guard mapping.hostPort > 0, mapping.containerPort > 0,
                    Int(mapping.hostPort) + Int(count) - 1 <= 65535,
                    Int(mapping.containerPort) + Int(count) - 1 <= 65535
                else {
                    throw refuse("ports must be 1 to 65535 and the range must fit below 65536")
                }
                forwards.append(
                    PortForward(
                        transport, host: host, hostPort: mapping.hostPort,
                        containerPort: mapping.containerPort, count: count))
            }
        }
        return forwards
    }
}
