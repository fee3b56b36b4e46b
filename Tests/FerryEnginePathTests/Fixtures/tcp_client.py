# The container's side of the TCP transfer test. Usage: tcp_client.py ADDRESS PORT UP DOWN
# With a fifth argument "reverse": reads DOWN bytes up to the server's half-close first,
# then sends UP bytes and closes; prints "ok SHA256" of what it sent.
# Otherwise: sends UP seeded bytes, half-closes, then reads the server's digest line and DOWN seeded
# bytes up to the server's close, and checks both digests. Prints "ok PEER" (the address
# the server saw) or the first mismatch, and exits non-zero on a mismatch.
import hashlib
import socket
import sys

from tcp_stream import stream

address, port, up, down = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
seed_up, seed_down = 11, 23
connection = socket.create_connection((address, port), timeout=60)
connection.sendall(f"{up} {down} {seed_down}\n".encode())


def download(reader):
    expected = hashlib.sha256()
    for block in stream(seed_down, down):
        expected.update(block)
    received = hashlib.sha256()
    count = 0
    while True:
        chunk = reader.read1(1 << 20)
        if not chunk:
            break
        received.update(chunk)
        count += len(chunk)
    if count != down or received.hexdigest() != expected.hexdigest():
        print(f"download mismatch: {count} bytes of {down}")
        sys.exit(1)


if len(sys.argv) > 5 and sys.argv[5] == "reverse":
    download(connection.makefile("rb"))
    sent = hashlib.sha256()
    for block in stream(seed_up, up):
        sent.update(block)
        connection.sendall(block)
    connection.close()
    print(f"ok {sent.hexdigest()}")
    sys.exit(0)

sent = hashlib.sha256()
for block in stream(seed_up, up):
    sent.update(block)
    connection.sendall(block)
connection.shutdown(socket.SHUT_WR)

reader = connection.makefile("rb")
line = reader.readline().decode().split()
if len(line) != 2 or line[0] != sent.hexdigest():
    print(f"upload mismatch: {line}")
    sys.exit(1)
download(reader)
print(f"ok {line[1]}")
