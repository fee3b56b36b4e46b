"""One TCP exchange for Ferry's integration tests, run in a namespace by `ip netns exec`.

    echo.py serve ADDRESS PORT          accept one connection, answer "echo " + the line
    echo.py send ADDRESS PORT MESSAGE   connect, send MESSAGE, print the answer

Both sides retry for a few seconds (an IPv6 address may still be tentative, the server
may not listen yet) and then give up, so a broken network fails fast instead of hanging.
"""
import socket
import sys
import time

DEADLINE = 8.0


def family_of(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def serve(address, port):
    end = time.monotonic() + DEADLINE
    while True:
        server = socket.socket(family_of(address), socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind((address, port))
            break
        except OSError:
            server.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.05)
    server.listen(1)
    server.settimeout(DEADLINE)
    connection, _ = server.accept()
    connection.settimeout(DEADLINE)
    line = b""
    while not line.endswith(b"\n"):
        chunk = connection.recv(4096)
        if not chunk:
            break
        line += chunk
    connection.sendall(b"echo " + line)
    connection.close()
    server.close()


def send(address, port, message):
    end = time.monotonic() + DEADLINE
    while True:
        try:
            client = socket.create_connection((address, port), timeout=2)
            break
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)
    client.settimeout(DEADLINE)
    client.sendall(message.encode() + b"\n")
    answer = b""
    while True:
        chunk = client.recv(4096)
        if not chunk:
            break
        answer += chunk
    client.close()
    print(answer.decode().strip())


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
