# The container's side of the zero-window test. Usage: tcp_zero_window.py ADDRESS PORT SIZE
# Asks tcp_server.py ("transfer" mode) for SIZE seeded bytes, then stops reading until its
# receive queue stops growing (its window is closed) and holds still for HOLD seconds while
# two nftables counters in this namespace count the connection's segments in each direction:
# with the reader still, only window probes come in and only their answers go out. Then it
# drops its own segments of the connection, drains the queue (so the kernel's window update
# is lost), lifts the drop and reads on: only a probe can restart the flow now.
# Prints "ok PROBES ANSWERS DROPPED" once all SIZE bytes arrived and matched the stream;
# otherwise says what went wrong on standard error and exits 1.
import fcntl
import hashlib
import re
import socket
import struct
import subprocess
import sys
import termios
import time

from tcp_stream import stream

address, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
HOLD = 4.0
TABLE = "inet ferry_zero_window"


def fail(message):
    subprocess.run(["nft", "delete", "table"] + TABLE.split(), capture_output=True)
    print(message, file=sys.stderr)
    sys.exit(1)


def nft(script):
    subprocess.run(["nft", "-f", "-"], input=script.encode(), check=True)


def counter(name):
    listing = subprocess.run(
        ["nft", "list", "counter"] + TABLE.split() + [name], capture_output=True, check=True)
    return int(re.search(rb"packets (\d+)", listing.stdout).group(1))


def queued(connection):
    value = fcntl.ioctl(connection.fileno(), termios.FIONREAD, struct.pack("i", 0))
    return struct.unpack("i", value)[0]


connection = socket.create_connection((address, port), timeout=20)
connection.sendall(f"0 {size} 23\n".encode())
connection.shutdown(socket.SHUT_WR)
local_port = connection.getsockname()[1]

# The server's digest line comes first; what follows it is the stream.
head = b""
while b"\n" not in head:
    chunk = connection.recv(64)
    if not chunk:
        fail("no digest line")
    head += chunk
received = hashlib.sha256()
count = 0
rest = head.split(b"\n", 1)[1]
received.update(rest)
count += len(rest)

# Stop reading until the queue holds still for half a second: the window is closed.
last, still, deadline = -1, 0, time.monotonic() + 20
while still < 5:
    if time.monotonic() > deadline:
        fail("the receive queue never stopped growing")
    time.sleep(0.1)
    now = queued(connection)
    still = still + 1 if now == last and now > 0 else 0
    last = now

nft(f"""
table {TABLE} {{
    counter probes {{}}
    counter answers {{}}
    chain input {{ type filter hook input priority 0; tcp dport {local_port} counter name "probes"; }}
    chain output {{ type filter hook output priority 0; tcp sport {local_port} counter name "answers"; }}
}}
""")
time.sleep(HOLD)
probes, answers = counter("probes"), counter("answers")

# Lose the window update: drop this connection's segments while the queue drains.
nft(f"add rule {TABLE} output tcp sport {local_port} drop\n")
connection.setblocking(False)
while True:
    try:
        chunk = connection.recv(1 << 20)
    except BlockingIOError:
        break
    if not chunk:
        break
    received.update(chunk)
    count += len(chunk)
time.sleep(0.3)
dropped = counter("answers") - answers
subprocess.run(["nft", "delete", "table"] + TABLE.split(), check=True)

connection.settimeout(20)
while True:
    try:
        chunk = connection.recv(1 << 20)
    except socket.timeout:
        fail(f"stalled after {count} of {size} bytes ({probes} probes, {answers} answers)")
    if not chunk:
        break
    received.update(chunk)
    count += len(chunk)

expected = hashlib.sha256()
for block in stream(23, size):
    expected.update(block)
if count != size or received.hexdigest() != expected.hexdigest():
    fail(f"mismatch: {count} bytes of {size}")
print(f"ok {probes} {answers} {dropped}")
