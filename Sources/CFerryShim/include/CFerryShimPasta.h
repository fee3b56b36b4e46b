// Linux calls for `ferry pasta`'s attach and lifecycle: tap creation, namespace lookups,
// descriptor passing and pidfd. Included by CFerryShim.h.
#ifndef CFERRY_SHIM_PASTA_H
#define CFERRY_SHIM_PASTA_H

#include <stdint.h>
#include <sys/types.h>

/// Opens /dev/net/tun and makes a tap (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, with checksum
/// and TSO offloads on: `ferry_tap_offloads_on`) named `name` ("" lets the kernel choose);
/// the name it got is written to `actual` (16 bytes). Returns the
/// descriptor (close-on-exec) or -1 with errno set.
int ferry_pasta_tap_open(const char *name, char actual[16]);

/// SIOCSIFHWADDR on a tap descriptor: sets the tap's MAC (6 bytes).
int ferry_pasta_tap_set_mac(int fd, const uint8_t mac[6]);

/// ioctl(NS_GET_USERNS): a descriptor for the user namespace owning a namespace.
int ferry_pasta_ns_get_userns(int fd);

/// pidfd_open(2) with no flags.
int ferry_pasta_pidfd_open(pid_t pid);

/// Sends `length` bytes and, when fd >= 0, the descriptor with them (SCM_RIGHTS).
ssize_t ferry_pasta_send_fd(int socket, const void *bytes, size_t length, int fd);

/// Receives up to `length` bytes and a descriptor if one came (else *fd = -1); any
/// descriptor received is close-on-exec.
ssize_t ferry_pasta_receive_fd(int socket, void *bytes, size_t length, int *fd);

/// How the constructor did when FERRY_ENTER_NAMESPACES="USERFD,NETFD" asked this process to
/// join namespaces before main, while it was still single-threaded: 0 when it did (or was
/// not asked), else the errno of the setns(2) that failed; *which names it ("user", "network").
int ferry_pasta_enter_error(const char **which);

/// posix_spawn_file_actions_addclosefrom_np: the child starts with no descriptor from
/// `lowest` up, whatever the parent (or the library that spawned the parent) left open.
int ferry_pasta_spawn_close_from(void *actions, int lowest);

/// The engine's preflight: a forked child joins `userns` (-1: none) and `netns` and makes
/// a tap named `name` (its name in `actual`), which goes when the child exits. Returns 0,
/// or the errno of the step that failed, named in *which ("user namespace",
/// "network namespace", "tap").
int ferry_pasta_probe_tap(int userns, int netns, const char *name, char actual[16],
                          const char **which);

/// POSIX_SPAWN_SETSID, which Swift does not see without _GNU_SOURCE.
extern const short FERRY_POSIX_SPAWN_SETSID;

#endif
