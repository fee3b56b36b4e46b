// Linux calls for starting slirp4netns. Included by CFerryShim.h.
#ifndef CFERRY_SHIM_SLIRP_H
#define CFERRY_SHIM_SLIRP_H

/// How the constructor did when FERRY_SLAVE_MOUNTS=1 asked this process, before main, to
/// move into a mount namespace of its own whose mounts all receive propagation but send
/// none (unshare(CLONE_NEWNS), then / made rslave): 0 when it did (or was not asked),
/// else the errno of the call that failed.
int ferry_slave_mounts_error(void);

#endif
