import CLibNL

/// A netlink request that failed.
///
/// The kernel's errno from the acknowledgement is kept apart from libnl's own negative
/// `NLE_*` codes, which are coarser and are not errno values.
public enum NetlinkError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kernel refused the request; `errno` comes from its NLMSG_ERROR acknowledgement.
    case kernel(operation: String, errno: Int32)
    /// libnl failed before or without a kernel answer; `code` is its positive NLE_* value.
    case library(operation: String, code: Int32)
    /// A named object the request needed does not exist.
    case notFound(operation: String, what: String)

    public var description: String {
        switch self {
        case .kernel(let operation, let errno):
            return "\(operation): \(kernelReason(errno)) (errno \(errno))"
        case .library(let operation, let code):
            let reason = String(cString: nl_geterror(code))
            return "\(operation): \(reason.lowercased()) (libnl error \(code))"
        case .notFound(let operation, let what):
            return "\(operation): \(what) not found"
        }
    }

    /// The kernel's errno, when the kernel gave one.
    public var errno: Int32? {
        if case .kernel(_, let errno) = self { return errno }
        return nil
    }
}

private func kernelReason(_ code: Int32) -> String {
    String(cString: strerror(code))
}
