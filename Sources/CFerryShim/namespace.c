#define _GNU_SOURCE
#include "CFerryShimNamespace.h"
#include "CFerryShimPasta.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

// socket(2) + bind(2) (+ listen(2)) on the container's loopback; the descriptor or -1.
static int ferry_namespace_listen(const struct ferry_namespace_request *request) {
    int type = request->protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
    int family = request->family == 6 ? AF_INET6 : AF_INET;
    if (request->port == 0 || request->port > 65535) {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int on = 1;
    // TCP only: a listener may come back while connections of its last life linger.
    if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    int result;
    if (family == AF_INET6) {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
        struct sockaddr_in6 address;
        memset(&address, 0, sizeof(address));
        address.sin6_family = AF_INET6;
        address.sin6_port = htons((uint16_t)request->port);
        address.sin6_addr = in6addr_loopback;
        result = bind(fd, (struct sockaddr *)&address, sizeof(address));
    } else {
        struct sockaddr_in address;
        memset(&address, 0, sizeof(address));
        address.sin_family = AF_INET;
        address.sin_port = htons((uint16_t)request->port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        result = bind(fd, (struct sockaddr *)&address, sizeof(address));
    }
    if (result == 0 && type == SOCK_STREAM) result = listen(fd, 128);
    if (result != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

// /proc/self/net/... of this process's (the container's) network namespace; the kernel
// keeps that namespace with the open file, so the engine can read it again and again.
static int ferry_namespace_procfs(const struct ferry_namespace_request *request) {
    const char *path;
    if (request->protocol == IPPROTO_TCP) {
        path = request->family == 6 ? "/proc/self/net/tcp6" : "/proc/self/net/tcp";
    } else {
        path = request->family == 6 ? "/proc/self/net/udp6" : "/proc/self/net/udp";
    }
    return open(path, O_RDONLY | O_CLOEXEC);
}

int ferry_pasta_namespace_serve(int control, pid_t parent) {
    // Never outlive the engine: killed when it goes, and gone now if it already went.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return errno;
    if (getppid() != parent) return ESRCH;

    for (;;) {
        struct ferry_namespace_request request;
        ssize_t count = recv(control, &request, sizeof(request), 0);
        if (count == 0) return 0;
        if (count < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        int fd = -1;
        if (count != (ssize_t)sizeof(request)) {
            errno = EINVAL;
        } else if (request.kind == FERRY_NAMESPACE_LISTEN) {
            fd = ferry_namespace_listen(&request);
        } else if (request.kind == FERRY_NAMESPACE_PROCFS) {
            fd = ferry_namespace_procfs(&request);
        } else {
            errno = EINVAL;
        }
        int32_t error = fd < 0 ? errno : 0;
        ssize_t sent = ferry_pasta_send_fd(control, &error, sizeof(error), fd);
        if (fd >= 0) close(fd);
        if (sent < 0) return errno;
    }
}

int ferry_pipe_nonblocking(int descriptors[2], int size) {
    if (pipe2(descriptors, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
    // Best effort: past the user's pipe allowance the kernel keeps its default size.
    if (size > 0) fcntl(descriptors[1], F_SETPIPE_SZ, size);
    return 0;
}

ssize_t ferry_splice(int from, int to, size_t length) {
    ssize_t moved;
    do {
        moved = splice(from, NULL, to, NULL, length, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    } while (moved < 0 && errno == EINTR);
    return moved < 0 ? -errno : moved;
}
