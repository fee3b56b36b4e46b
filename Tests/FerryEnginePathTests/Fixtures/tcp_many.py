# Opens many TCP connections at once and holds them. Usage:
#   tcp_many.py ADDRESS PORT COUNT MODE
# MODE "hold": each sends a tcp_server.py header for an empty transfer ("0 0 0") and stays
#   open until the process is killed (closing them all at once).
# MODE "half": each shuts down its writing half and waits for the peer's end of stream.
# Prints "holding COUNT" once all are open, then in "half" mode "ended N" each time N
# connections have seen their end.
import select
import socket
import sys
import time

address, port, count, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
held = []
for _ in range(count):
    connection = socket.create_connection((address, port), timeout=10)
    if mode == "hold":
        connection.sendall(b"0 0 0\n")
    else:
        connection.shutdown(socket.SHUT_WR)
    held.append(connection)
print("holding", len(held), flush=True)
ended = 0
while True:
    if mode != "half" or ended == len(held):
        time.sleep(3600)
    readable, _, _ = select.select([c for c in held if c.fileno() >= 0], [], [])
    for connection in readable:
        if not connection.recv(4096):
            connection.close()
            ended += 1
    print("ended", ended, flush=True)
