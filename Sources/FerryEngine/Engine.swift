import FerrySystem

/// The data path: one thread, one epoll loop, over a tap descriptor already open in the
/// container's namespace. (Being written: see issue 5.)
public final class Engine {
    public let config: EngineConfig
    let tap: FileDescriptor

    public init(config: EngineConfig, tap: FileDescriptor) {
        self.config = config
        self.tap = tap
    }

    /// Runs until the namespace goes away or `stop` is signalled.
    public func run() throws {
        // FIXME: the loop is not written yet.
        throw MessageError("the engine's data path is not written yet")
    }
}
