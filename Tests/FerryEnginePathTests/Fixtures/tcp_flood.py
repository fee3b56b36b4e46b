# Writes into a TCP connection whose reader never reads, for SECONDS, and prints how many
# bytes the socket accepted. Usage: tcp_flood.py ADDRESS PORT SECONDS
import socket
import sys
import time

address, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
connection = socket.create_connection((address, port), timeout=5)
connection.setblocking(False)
block = bytes(1 << 16)
sent = 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        sent += connection.send(block)
    except BlockingIOError:
        time.sleep(0.01)
print(sent, flush=True)
