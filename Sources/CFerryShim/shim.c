#define _GNU_SOURCE
#include "CFerryShim.h"

#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

const int FERRY_CLONE_NEWNET = CLONE_NEWNET;
const int FERRY_CLONE_NEWUSER = CLONE_NEWUSER;
const int FERRY_CLONE_NEWNS = CLONE_NEWNS;

int ferry_setns(int fd, int nstype) { return setns(fd, nstype); }

int ferry_unshare(int flags) { return unshare(flags); }

int ferry_spawn_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

pid_t ferry_gettid(void) { return (pid_t)syscall(SYS_gettid); }

int ferry_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0); }

#ifndef FERRY_COMMIT
#define FERRY_COMMIT "unknown"
#endif

const char *ferry_build_commit(void) { return FERRY_COMMIT; }

const char *ferry_build_time(void) { return __DATE__ " " __TIME__; }

int ferry_pipe_cloexec(int descriptors[2]) { return pipe2(descriptors, O_CLOEXEC); }
