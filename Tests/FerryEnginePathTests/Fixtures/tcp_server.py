# A TCP server for the engine's tests. Usage: tcp_server.py ADDRESS PORT MODE
# (prints "listening" once bound; ADDRESS "any" listens on both families).
# MODE "transfer": per connection, reads a header line "UP DOWN SEED", then UP bytes up to
#   the client's half-close (end of stream), answers "SHA256 PEER\n" for what it read and
#   the address it saw, then DOWN bytes of the seeded stream, then closes.
# MODE "reverse": reads the header line, sends DOWN seeded bytes, half-closes, then reads
#   up to the client's close and appends "SHA256 COUNT" for what it read to RESULT_FILE.
# MODE "stall": accepts and never reads.
import hashlib
import socket
import sys
import threading
import time

from tcp_stream import stream

address, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
result_file = sys.argv[4] if len(sys.argv) > 4 else None
family = socket.AF_INET6 if ":" in address or address == "any" else socket.AF_INET
server = socket.socket(family, socket.SOCK_STREAM)
if address == "any":
    address = "::"
    server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((address, port))
server.listen(16)
print("listening", flush=True)
held = []


def transfer(connection, peer):
    reader = connection.makefile("rb")
    up, down, seed = (int(field) for field in reader.readline().split())
    digest = hashlib.sha256()
    received = 0
    while True:
        chunk = reader.read1(1 << 20)
        if not chunk:
            break
        digest.update(chunk)
        received += len(chunk)
    if received != up:
        connection.close()
        return
    connection.sendall(f"{digest.hexdigest()} {peer[0]}\n".encode())
    for block in stream(seed, down):
        connection.sendall(block)
    connection.close()


def reverse(connection, peer):
    reader = connection.makefile("rb")
    up, down, seed = (int(field) for field in reader.readline().split())
    for block in stream(seed, down):
        connection.sendall(block)
    connection.shutdown(socket.SHUT_WR)
    digest = hashlib.sha256()
    received = 0
    while True:
        chunk = reader.read1(1 << 20)
        if not chunk:
            break
        digest.update(chunk)
        received += len(chunk)
    with open(result_file, "a") as result:
        result.write(f"{digest.hexdigest()} {received}\n")
    connection.close()


while True:
    connection, peer = server.accept()
    if mode == "stall":
        held.append(connection)
        continue
    handler = reverse if mode == "reverse" else transfer
    threading.Thread(target=handler, args=(connection, peer), daemon=True).start()
