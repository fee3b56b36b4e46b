import FerryAddress
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// What UDP and ICMP flows share: admitting a new flow's socket, and finding the flow a
/// socket event is for.
extension Engine {
    /// Connects a new flow's socket to its target, enters it in `table` and in the loop
    /// under `kind`. On failure the socket is closed and nothing is kept.
    func flowAdmit(
        _ fd: Int32, key: FlowKey, target: IPAddress, port: UInt16, table: FlowTable,
        kind: EventTag.Kind, subsystem: StaticString
    ) -> Int? {
        let code = HostSocket.connect(fd, to: target, port: port)
        if code != 0 {
            _ = close(fd)
            Log.debug(subsystem, "connecting a flow's socket failed: errno \(code)")
            return nil
        }
        let index = table.insert(key, socket: fd, now: now)
        let tag = EventTag(kind, index: index, generation: table[index].generation)
        do {
            try loop?.add(fd, tag: tag)
        } catch {
            table.remove(index)
            Log.debug(subsystem, "\(error)")
            return nil
        }
        return index
    }

    /// The flow a socket event is for, while the slot still holds the flow the tag names.
    func liveFlow(_ tag: EventTag, in table: FlowTable) -> Int? {
        let index = tag.index
        guard index < table.capacity, table[index].socket >= 0,
            table[index].generation == tag.generation
        else { return nil }
        return index
    }
}
