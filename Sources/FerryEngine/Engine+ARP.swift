import FerryAddress
import FerryPacket

extension Engine {
    /// Answers an ARP request for any address of the container's subnet but its own, with
    /// the engine's MAC: everything on the link is the engine, as with pasta.
    ///
    /// Probes (sender 0.0.0.0) and announcements (sender equals target) get no answer, so
    /// the container's duplicate address detection never sees a conflict.
    func arpReceive(_ frame: EthernetFrame) {
        guard let family = config.ipv4, let network = network4,
            let request = ARPPacket(frame.payload), request.operation == ARPPacket.request
        else { return drop("ARP not answered") }
        let target = request.targetProtocol
        let sender = request.senderProtocol
        guard target != family.address, sender != target, !sender.isUnspecified,
            network.contains(target)
        else { return drop("ARP for an address not ours") }
        tapWrite(ARPPacket.writeReply(to: request, ourMAC: engineMAC, into: sendBytes))
    }
}
