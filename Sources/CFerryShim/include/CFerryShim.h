// Linux calls the Glibc module does not export, wrapped so Swift can call them.
#ifndef CFERRY_SHIM_H
#define CFERRY_SHIM_H

#include <spawn.h>
#include <sys/types.h>

#include "CFerryShimPasta.h"
#include "FerryEngineShim.h"
#include "CFerryShimSlirp.h"
#include "CFerryShimNamespace.h"

/// setns(2): join the namespace behind fd; nstype is a CLONE_NEW* flag or 0.
int ferry_setns(int fd, int nstype);

/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor >= from.
int ferry_spawn_closefrom(posix_spawn_file_actions_t *actions, int from);

/// unshare(2).
int ferry_unshare(int flags);

/// gettid(2).
pid_t ferry_gettid(void);

/// The CLONE_NEW* flags, which Swift cannot import from <sched.h> without _GNU_SOURCE.
extern const int FERRY_CLONE_NEWNET;
extern const int FERRY_CLONE_NEWUSER;
extern const int FERRY_CLONE_NEWNS;

/// pipe2(2) with O_CLOEXEC: both ends close-on-exec, atomically.
int ferry_pipe_cloexec(int descriptors[2]);

/// prctl(PR_SET_PDEATHSIG, signal).
int ferry_set_parent_death_signal(int signal);

/// The commit ferry was built from, and when this file was compiled (UTC, ISO 8601).
const char *ferry_build_commit(void);
const char *ferry_build_time(void);

#endif
