# Runs a command with no signals blocked. A child of the Swift test runner inherits the
# blocked mask of the thread that spawned it (SIGTERM, SIGALRM...), and tools such as
# busybox ping then wait forever for their alarm. Usage: unblocked.py PROGRAM [ARGS...]
import os
import signal
import sys

signal.pthread_sigmask(signal.SIG_SETMASK, [])
os.execvp(sys.argv[1], sys.argv[1:])
