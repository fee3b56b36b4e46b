#define _GNU_SOURCE
#include "FerryEngineShim.h"

#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
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
        close(fd);
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
