#define _GNU_SOURCE
#include "CFerryShimSlirp.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>

static int ferry_slave_mounts_errno = 0;

int ferry_slave_mounts_error(void) { return ferry_slave_mounts_errno; }

// slirp4netns's sandbox makes only / private before it detaches the old root; where /run
// is no mount point of its own, the unmount of /run/netns's children then propagates to
// the mount namespace it came from. Started in the host's user namespace (rootful), it
// would take every `ip netns` name with it. In a mount namespace made rslave here, before
// main while the process is single-threaded (unshare(CLONE_NEWNS) needs that), nothing
// propagates back. Started in a container's user namespace this is not needed: the
// kernel reduces shared mounts to slaves in a less privileged mount namespace.
__attribute__((constructor)) static void ferry_slave_mounts(void) {
    const char *request = getenv("FERRY_SLAVE_MOUNTS");
    if (request == NULL) return;
    unsetenv("FERRY_SLAVE_MOUNTS");
    if (unshare(CLONE_NEWNS) != 0 || mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) != 0) {
        ferry_slave_mounts_errno = errno;
    }
}
