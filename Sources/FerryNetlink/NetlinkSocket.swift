import CLibNL
import FerrySystem

/// A NETLINK_ROUTE socket through libnl, bound to the network namespace it was opened in.
///
/// Every request waits for the kernel's acknowledgement. An error callback keeps the errno
/// of the last NLMSG_ERROR, so failures carry the kernel's reason rather than libnl's.
public final class NetlinkSocket: @unchecked Sendable {
    let handle: OpaquePointer
    private let lastError: UnsafeMutablePointer<Int32>

    /// Opens a socket in the calling thread's network namespace.
    public init() throws(NetlinkError) {
        guard let socket = nl_socket_alloc() else {
            throw .library(operation: "allocating a netlink socket", code: NLE_NOMEM)
        }
        let connected = nl_connect(socket, NETLINK_ROUTE)
        if connected < 0 {
            nl_socket_free(socket)
            throw .library(operation: "connecting a netlink socket", code: -connected)
        }
        handle = socket
        lastError = .allocate(capacity: 1)
        lastError.pointee = 0
        nl_socket_modify_err_cb(socket, NL_CB_CUSTOM, recordKernelError, lastError)
    }

    /// Opens a socket inside `namespace`, from a short-lived thread that joins it.
    public static func open(in namespace: NetworkNamespace) throws -> NetlinkSocket {
        try namespace.run { try NetlinkSocket() }
    }

    deinit {
        nl_socket_free(handle)
        lastError.deallocate()
    }

    /// Runs a libnl call that talks to the kernel, turning a negative result into an error
    /// with the kernel's errno when there was one.
    @discardableResult
    func request(_ operation: @autoclosure () -> String, _ body: () -> Int32) throws(NetlinkError)
        -> Int32
    {
        lastError.pointee = 0
        let result = body()
        guard result < 0 else { return result }
        if lastError.pointee != 0 {
            throw .kernel(operation: operation(), errno: lastError.pointee)
        }
        throw .library(operation: operation(), code: -result)
    }
}

/// libnl's error callback: store the kernel's errno and stop, so libnl returns failure.
private func recordKernelError(
    _ address: UnsafeMutablePointer<sockaddr_nl>?,
    _ message: UnsafeMutablePointer<nlmsgerr>?,
    _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let message, let argument else { return Int32(NL_STOP.rawValue) }
    argument.assumingMemoryBound(to: Int32.self).pointee = -message.pointee.error
    return Int32(NL_STOP.rawValue)
}
