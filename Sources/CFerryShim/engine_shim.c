#define _GNU_SOURCE
#include "FerryEngineShim.h"

// linux/errqueue.h uses struct timespec without including <time.h>.
#include <time.h>

#include <errno.h>
#include <linux/errqueue.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define BATCH 128

const uint32_t FERRY_EPOLLIN = EPOLLIN;
const uint32_t FERRY_EPOLLOUT = EPOLLOUT;
const uint32_t FERRY_EPOLLERR = EPOLLERR;
const uint32_t FERRY_EPOLLHUP = EPOLLHUP;
const uint32_t FERRY_EPOLLRDHUP = EPOLLRDHUP;
const uint32_t FERRY_EPOLLET = EPOLLET;
const int FERRY_EPOLL_BATCH = BATCH;

int ferry_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static int control(int epfd, int op, int fd, uint32_t events, uint64_t tag) {
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = events;
    event.data.u64 = tag;
    return epoll_ctl(epfd, op, fd, &event);
}

int ferry_epoll_add(int epfd, int fd, uint32_t events, uint64_t tag) {
    return control(epfd, EPOLL_CTL_ADD, fd, events, tag);
}

int ferry_epoll_modify(int epfd, int fd, uint32_t events, uint64_t tag) {
    return control(epfd, EPOLL_CTL_MOD, fd, events, tag);
}

int ferry_epoll_delete(int epfd, int fd) { return control(epfd, EPOLL_CTL_DEL, fd, 0, 0); }

int ferry_epoll_wait(int epfd, uint64_t *tags, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event ready[BATCH];
    if (max > BATCH) max = BATCH;
    int count = epoll_wait(epfd, ready, max, timeout_ms);
    for (int i = 0; i < count; i++) {
        tags[i] = ready[i].data.u64;
        events[i] = ready[i].events;
    }
    return count;
}

int ferry_timerfd_periodic(int interval_ms) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) return -1;
    struct itimerspec spec;
    spec.it_interval.tv_sec = interval_ms / 1000;
    spec.it_interval.tv_nsec = (long)(interval_ms % 1000) * 1000000L;
    spec.it_value = spec.it_interval;
    if (timerfd_settime(fd, 0, &spec, NULL) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int ferry_socket_outq(int fd) {
    int queued = 0;
    if (ioctl(fd, SIOCOUTQ, &queued) != 0) return -1;
    return queued;
}

int ferry_socket_inq(int fd) {
    int queued = 0;
    if (ioctl(fd, SIOCINQ, &queued) != 0) return -1;
    return queued;
}

const uint8_t FERRY_SO_EE_ORIGIN_ICMP = SO_EE_ORIGIN_ICMP;
const uint8_t FERRY_SO_EE_ORIGIN_ICMP6 = SO_EE_ORIGIN_ICMP6;

int ferry_socket_recverr(int fd, int ipv6) {
    int on = 1;
    if (ipv6) return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
    return setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
}

int ferry_socket_error_queue(int fd, void *data, size_t length, struct ferry_icmp_error *error) {
    char control[256];
    struct iovec vector = {.iov_base = data, .iov_len = length};
    struct msghdr message = {
        .msg_iov = &vector,
        .msg_iovlen = 1,
        .msg_control = control,
        .msg_controllen = sizeof control,
    };
    ssize_t count = recvmsg(fd, &message, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (count < 0) return -1;
    memset(error, 0, sizeof *error);
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL;
         header = CMSG_NXTHDR(&message, header)) {
        int v4 = header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_RECVERR;
        int v6 = header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_RECVERR;
        if (!v4 && !v6) continue;
        struct sock_extended_err extended;
        memcpy(&extended, CMSG_DATA(header), sizeof extended);
        error->origin = extended.ee_origin;
        error->type = extended.ee_type;
        error->code = extended.ee_code;
        error->info = extended.ee_info;
    }
    return (int)count;
}

int ferry_accept_nonblocking(int fd, void *address, uint32_t *length) {
    socklen_t size = *length;
    int accepted = accept4(fd, (struct sockaddr *)address, &size, SOCK_NONBLOCK | SOCK_CLOEXEC);
    *length = size;
    return accepted;
}

uint64_t ferry_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

int ferry_tun_set_tap(int fd, const char *name, int offloads) {
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    request.ifr_flags = IFF_TAP | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0);
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) != 0) return -1;
    return offloads ? ferry_tap_offloads_on(fd) : 0;
}

int ferry_tap_offloads_on(int fd) {
    int size = (int)sizeof(struct virtio_net_hdr);
    if (ioctl(fd, TUNSETVNETHDRSZ, &size) != 0) return -1;
    return ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
}

int ferry_tap_vnet_header_size(int fd) {
    struct ifreq request;
    memset(&request, 0, sizeof(request));
    if (ioctl(fd, TUNGETIFF, &request) != 0) return -1;
    if ((request.ifr_flags & IFF_VNET_HDR) == 0) return 0;
    int size = 0;
    if (ioctl(fd, TUNGETVNETHDRSZ, &size) != 0) return -1;
    return size;
}
