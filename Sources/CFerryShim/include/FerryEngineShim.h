// The engine's Linux calls: epoll, timerfd and the tun ioctl, which Glibc's Swift module does
// not export (epoll_event is a packed struct on x86_64, and ioctl is variadic).
#ifndef FERRY_ENGINE_SHIM_H
#define FERRY_ENGINE_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// epoll_create1(EPOLL_CLOEXEC).
int ferry_epoll_create(void);

/// epoll_ctl(EPOLL_CTL_ADD / EPOLL_CTL_MOD / EPOLL_CTL_DEL) with the event's data as a tag.
int ferry_epoll_add(int epfd, int fd, uint32_t events, uint64_t tag);
int ferry_epoll_modify(int epfd, int fd, uint32_t events, uint64_t tag);
int ferry_epoll_delete(int epfd, int fd);

/// epoll_wait into two parallel arrays (tags and event masks) of at most `max` entries;
/// `max` is capped at FERRY_EPOLL_BATCH. Returns the count, or -1 with errno.
int ferry_epoll_wait(int epfd, uint64_t *tags, uint32_t *events, int max, int timeout_ms);

/// The epoll event bits.
extern const uint32_t FERRY_EPOLLIN;
extern const uint32_t FERRY_EPOLLOUT;
extern const uint32_t FERRY_EPOLLERR;
extern const uint32_t FERRY_EPOLLHUP;
extern const uint32_t FERRY_EPOLLRDHUP;
extern const uint32_t FERRY_EPOLLET;
extern const int FERRY_EPOLL_BATCH;

/// timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), armed to fire every
/// `interval_ms` milliseconds. Returns the descriptor, or -1 with errno.
int ferry_timerfd_periodic(int interval_ms);

/// ioctl(SIOCOUTQ): bytes in a TCP socket's send queue (not yet sent or not yet
/// acknowledged), or -1 with errno.
int ferry_socket_outq(int fd);

/// ioctl(SIOCINQ): bytes in a TCP socket's receive queue not yet read (peeked bytes
/// included), or -1 with errno.
int ferry_socket_inq(int fd);

/// setsockopt(IP_RECVERR), or IPV6_RECVERR when `ipv6`: ICMP errors for the socket's
/// datagrams are queued on its error queue. Returns 0, or -1 with errno.
int ferry_socket_recverr(int fd, int ipv6);

/// ee_origin of an error that an ICMP or ICMPv6 message reported.
extern const uint8_t FERRY_SO_EE_ORIGIN_ICMP;
extern const uint8_t FERRY_SO_EE_ORIGIN_ICMP6;

/// What a socket's error queue says about one error (struct sock_extended_err).
struct ferry_icmp_error {
    /// Where the error came from: FERRY_SO_EE_ORIGIN_ICMP or _ICMP6 for an ICMP message.
    uint8_t origin;
    uint8_t type;
    uint8_t code;
    /// The next-hop MTU of "fragmentation needed" or "packet too big".
    uint32_t info;
};

/// recvmsg(MSG_ERRQUEUE | MSG_DONTWAIT): one queued error; the payload of the datagram it
/// is about goes to `data` (up to `length` bytes). Returns that payload's length, or -1
/// with errno (EAGAIN when the queue is empty).
int ferry_socket_error_queue(int fd, void *data, size_t length, struct ferry_icmp_error *error);

/// accept4(SOCK_NONBLOCK | SOCK_CLOEXEC) with the peer's sockaddr in `address` (room for
/// `*length` bytes); the descriptor, or -1 with errno.
int ferry_accept_nonblocking(int fd, void *address, uint32_t *length);

/// Nanoseconds on CLOCK_MONOTONIC.
uint64_t ferry_monotonic_ns(void);

/// ioctl(fd, TUNSETIFF) on an open /dev/net/tun: attaches it to interface `name` (created
/// when missing) as a tap without packet information (IFF_TAP | IFF_NO_PI); with `offloads`,
/// also IFF_VNET_HDR and then `ferry_tap_offloads_on`.
int ferry_tun_set_tap(int fd, const char *name, int offloads);

/// On a tap made with IFF_VNET_HDR: TUNSETVNETHDRSZ to sizeof(struct virtio_net_hdr) (10),
/// then TUNSETOFFLOAD with TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, so the container's kernel
/// may hand over partial checksums and TCP super-frames. 0, or -1 with errno.
int ferry_tap_offloads_on(int fd);

/// The size of the virtio-net header in front of each frame on this tap (TUNGETIFF, then
/// TUNGETVNETHDRSZ): 0 without IFF_VNET_HDR, or -1 with errno.
int ferry_tap_vnet_header_size(int fd);

#endif
