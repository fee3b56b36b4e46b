# Holds TCP connections open. Usage: tcp_hold.py ADDRESS PORT COUNT
# Opens COUNT connections one after another, sends each a tcp_server.py header for an
# empty transfer ("0 0 0"), and holds them until killed: the server answers each once its
# client closes.
import socket
import sys
import time

address, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
held = []
for _ in range(count):
    connection = socket.create_connection((address, port), timeout=10)
    connection.sendall(b"0 0 0\n")
    held.append(connection)
    time.sleep(0.2)
print("holding", flush=True)
time.sleep(3600)
