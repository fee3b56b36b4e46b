#define _GNU_SOURCE
#include "CFerryShimPasta.h"
#include "FerryEngineShim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/nsfs.h>
#include <net/if_arp.h>
#include <sched.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

const short FERRY_POSIX_SPAWN_SETSID = POSIX_SPAWN_SETSID;

int ferry_pasta_spawn_close_from(void *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np((posix_spawn_file_actions_t *)actions, lowest);
}

int ferry_pasta_tap_open(const char *name, char actual[16]) {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return -1;
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    // Virtio-net headers and offloads: the engine reads TCP super-frames and writes them.
    request.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) < 0 || ferry_tap_offloads_on(fd) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    memcpy(actual, request.ifr_name, IFNAMSIZ);
    actual[IFNAMSIZ - 1] = '\0';
    return fd;
}

int ferry_pasta_tap_set_mac(int fd, const uint8_t mac[6]) {
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    request.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    memcpy(request.ifr_hwaddr.sa_data, mac, 6);
    return ioctl(fd, SIOCSIFHWADDR, &request);
}

int ferry_pasta_ns_get_userns(int fd) { return ioctl(fd, NS_GET_USERNS); }

int ferry_pasta_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

ssize_t ferry_pasta_send_fd(int socket, const void *bytes, size_t length, int fd) {
    struct iovec vector = {.iov_base = (void *)bytes, .iov_len = length};
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    if (fd >= 0) {
        memset(&control, 0, sizeof(control));
        message.msg_control = control.buffer;
        message.msg_controllen = sizeof(control.buffer);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(header), &fd, sizeof(int));
    }
    ssize_t sent;
    do {
        sent = sendmsg(socket, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
}

ssize_t ferry_pasta_receive_fd(int socket, void *bytes, size_t length, int *fd) {
    struct iovec vector = {.iov_base = bytes, .iov_len = length};
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof(control.buffer);
    *fd = -1;
    ssize_t received;
    do {
        received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    } while (received < 0 && errno == EINTR);
    if (received < 0) return received;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL;
         header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            memcpy(fd, CMSG_DATA(header), sizeof(int));
        }
    }
    return received;
}

static int ferry_pasta_enter_errno = 0;
static const char *ferry_pasta_enter_which = "";

int ferry_pasta_enter_error(const char **which) {
    *which = ferry_pasta_enter_which;
    return ferry_pasta_enter_errno;
}

// Joining a user namespace needs a single-threaded process, which a Swift program is only
// before main: `ferry __pasta-attach` is spawned with FERRY_ENTER_NAMESPACES set, and joins
// here, user namespace first, so it holds the capabilities the network namespace needs.
__attribute__((constructor)) static void ferry_pasta_enter_namespaces(void) {
    const char *request = getenv("FERRY_ENTER_NAMESPACES");
    if (request == NULL) return;
    int userns = -1, netns = -1;
    char *end = NULL;
    userns = (int)strtol(request, &end, 10);
    if (end != NULL && *end == ',') netns = (int)strtol(end + 1, NULL, 10);
    unsetenv("FERRY_ENTER_NAMESPACES");
    if (userns >= 0) {
        if (setns(userns, CLONE_NEWUSER) != 0) {
            ferry_pasta_enter_errno = errno;
            ferry_pasta_enter_which = "user";
            return;
        }
        close(userns);
    }
    if (netns >= 0) {
        if (setns(netns, CLONE_NEWNET) != 0) {
            ferry_pasta_enter_errno = errno;
            ferry_pasta_enter_which = "network";
            return;
        }
        close(netns);
    }
}

// What the probe's child reports through its pipe.
struct ferry_pasta_probe_answer {
    int error;
    int stage;  // 0 the tap, 1 the user namespace, 2 the network namespace
    char name[IFNAMSIZ];
};

int ferry_pasta_probe_tap(int userns, int netns, const char *name, char actual[16],
                          const char **which) {
    *which = "tap";
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) return errno;
    // fork, not an exec of a helper: the child is single-threaded, so it may join a user
    // namespace, and it only makes system calls (no allocation) before _exit.
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        close(ends[0]);
        close(ends[1]);
        return saved;
    }
    if (child == 0) {
        struct ferry_pasta_probe_answer answer;
        memset(&answer, 0, sizeof(answer));
        close(ends[0]);
        if (userns >= 0 && setns(userns, CLONE_NEWUSER) != 0) {
            answer.error = errno;
            answer.stage = 1;
        } else if (setns(netns, CLONE_NEWNET) != 0) {
            answer.error = errno;
            answer.stage = 2;
        } else {
            int fd = ferry_pasta_tap_open(name, answer.name);
            if (fd < 0) answer.error = errno;
            // The tap goes with its last descriptor, closed as the child exits.
        }
        ssize_t ignored = write(ends[1], &answer, sizeof(answer));
        (void)ignored;
        _exit(0);
    }
    close(ends[1]);
    struct ferry_pasta_probe_answer answer;
    memset(&answer, 0, sizeof(answer));
    ssize_t count;
    do {
        count = read(ends[0], &answer, sizeof(answer));
    } while (count < 0 && errno == EINTR);
    close(ends[0]);
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
    }
    if (count != (ssize_t)sizeof(answer)) return EPIPE;
    static const char *const stages[] = {"tap", "user namespace", "network namespace"};
    *which = stages[answer.stage];
    memcpy(actual, answer.name, IFNAMSIZ);
    actual[IFNAMSIZ - 1] = '\0';
    return answer.error;
}
