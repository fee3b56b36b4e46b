// The namespace helper that `ferry pasta` keeps inside the container for container-to-host
// forwarding and `auto`, and the splice calls the engine moves those connections with.
// Included by CFerryShim.h.
#ifndef CFERRY_SHIM_NAMESPACE_H
#define CFERRY_SHIM_NAMESPACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// What the engine asks the helper for, one request per SOCK_SEQPACKET message.
enum ferry_namespace_kind {
    /// A socket on the container's loopback (127.0.0.1 or ::1), bound to `port`: listening
    /// for TCP, unconnected for UDP; non-blocking and close-on-exec.
    FERRY_NAMESPACE_LISTEN = 1,
    /// /proc/self/net/{tcp,tcp6,udp,udp6} opened in the container's network namespace.
    FERRY_NAMESPACE_PROCFS = 2,
};

struct ferry_namespace_request {
    uint32_t kind;
    /// IPPROTO_TCP or IPPROTO_UDP.
    uint32_t protocol;
    /// 4 or 6.
    uint32_t family;
    uint32_t port;
};

/// The helper's side: sets PR_SET_PDEATHSIG (SIGKILL), gives up at once when its parent is
/// no longer `parent`, then answers requests on `control` until the engine closes it. Each
/// answer is an int32 errno (0 on success) with the descriptor (SCM_RIGHTS). Single-threaded
/// and allocation-free; returns 0 at the end of the stream, else an errno.
int ferry_pasta_namespace_serve(int control, pid_t parent);

/// pipe2(O_NONBLOCK | O_CLOEXEC), then F_SETPIPE_SZ to `size` bytes when it is positive
/// (best effort: the pipe keeps the default size when the kernel refuses).
int ferry_pipe_nonblocking(int descriptors[2], int size);

/// splice(2) of up to `length` bytes with SPLICE_F_MOVE | SPLICE_F_NONBLOCK; one end must
/// be a pipe. Returns the count, or -errno.
ssize_t ferry_splice(int from, int to, size_t length);

#endif
