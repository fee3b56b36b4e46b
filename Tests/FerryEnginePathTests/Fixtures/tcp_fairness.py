# A bulk transfer beside a request-response exchange, to see whether one fast connection
# holds up others. Usage:
#   tcp_fairness.py serve PORT            (the host: both families; prints "listening")
#   tcp_fairness.py measure ADDRESS PORT SECONDS
# A connection's first byte picks its kind: "B" is a sink (read and dropped to the end),
# "R" echoes each byte back. "measure" opens an "R" connection, then an "B" one sending as
# fast as it can, and for SECONDS sends one byte at a time on the first, waiting for each
# echo; it prints "MAX_MS P99_MS MEDIAN_MS SLOW BULK_MIB": the slowest round trip, the
# 99th percentile, the median, how many took over 50 ms, and the MiB the bulk one sent.
import socket
import sys
import threading
import time


def serve(port):
    server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("::", port))
    server.listen(16)
    print("listening", flush=True)
    while True:
        connection, _ = server.accept()
        threading.Thread(target=handle, args=(connection,), daemon=True).start()


def handle(connection):
    kind = connection.recv(1)
    if kind == b"B":
        buffer = bytearray(1 << 20)
        while connection.recv_into(buffer, len(buffer), socket.MSG_TRUNC) > 0:
            pass
    elif kind == b"R":
        while True:
            byte = connection.recv(1)
            if not byte:
                break
            connection.sendall(byte)
    connection.close()


def measure(address, port, seconds):
    exchange = socket.create_connection((address, port))
    exchange.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    exchange.sendall(b"R")
    bulk = socket.create_connection((address, port))
    bulk.sendall(b"B")
    stop = threading.Event()
    sent = [0]

    def push():
        chunk = memoryview(bytearray(4 << 20))
        while not stop.is_set():
            bulk.sendall(chunk)
            sent[0] += len(chunk)

    pusher = threading.Thread(target=push, daemon=True)
    pusher.start()
    time.sleep(0.5)
    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        exchange.sendall(b"x")
        if exchange.recv(1) != b"x":
            raise SystemExit("the exchange ended")
        times.append((time.monotonic() - start) * 1000)
        time.sleep(0.005)
    stop.set()
    pusher.join()
    times.sort()
    slow = sum(1 for time_ms in times if time_ms > 50)
    p99 = times[len(times) * 99 // 100]
    median = times[len(times) // 2]
    print(f"{times[-1]:.1f} {p99:.1f} {median:.1f} {slow} {sent[0] >> 20}", flush=True)


if sys.argv[1] == "serve":
    serve(int(sys.argv[2]))
else:
    measure(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
