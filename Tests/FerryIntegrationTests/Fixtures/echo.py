"""Connection testers for Ferry's integration tests, run in a namespace by `ip netns exec`.

    echo.py serve ADDRESS PORT          accept one connection, answer "echo " + the line
    echo.py send ADDRESS PORT MESSAGE   connect, send MESSAGE, print the answer

Both sides retry for a few seconds (an IPv6 address may still be tentative, the server
may not listen yet) and then give up, so a broken network fails fast instead of hanging.

    echo.py listen PORT...              tcp and udp on every address of both families,
                                        until killed; writes "ready" to stderr once bound
    echo.py probe SECONDS               reads "ID tcp|udp ADDRESS PORT" lines from stdin,
                                        tries them all at once, prints one line each:
                                        "ID ok PEER PORT" or "ID refused REASON"

A listener answers "echo MESSAGE from PEER port PORT": PEER is the source address it saw
(the client's, or one a NAT rule put there), PORT the container port it was reached on. A
probe is refused when it gets no such answer within SECONDS (a TCP reset, an ICMP error,
or silence).
"""
import socket
import sys
import threading
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


def peer_text(peer):
    """The peer's address, an IPv4 client on a dual-stack socket shown as IPv4."""
    address = peer[0]
    return address[7:] if address.startswith("::ffff:") else address


def answer(message, peer, port):
    return b"echo " + message.strip() + f" from {peer_text(peer)} port {port}".encode()


def listen_tcp(sock, port):
    while True:
        connection, peer = sock.accept()
        connection.settimeout(2)
        try:
            connection.sendall(answer(connection.recv(200), peer, port))
        except OSError:
            pass
        connection.close()


def listen_udp(sock, port):
    while True:
        message, peer = sock.recvfrom(200)
        sock.sendto(answer(message, peer, port), peer)


def listen(ports):
    threads = []
    for port in ports:
        for kind, run in [(socket.SOCK_STREAM, listen_tcp), (socket.SOCK_DGRAM, listen_udp)]:
            sock = socket.socket(socket.AF_INET6, kind)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            sock.bind(("::", port))
            if kind == socket.SOCK_STREAM:
                sock.listen(64)
            threads.append(threading.Thread(target=run, args=(sock, port), daemon=True))
    for thread in threads:
        thread.start()
    print("ready", file=sys.stderr, flush=True)
    while True:
        time.sleep(3600)


def probe_one(ident, proto, address, port, seconds):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    message = f"hello-{ident}".encode()
    sock = socket.socket(family_of(address), kind)
    sock.settimeout(seconds)
    try:
        sock.connect((address, port))
        if proto == "tcp":
            sock.sendall(message + b"\n")
            data = b""
            while True:
                chunk = sock.recv(200)
                if not chunk:
                    break
                data += chunk
        else:
            sock.send(message)
            data = sock.recv(200)
    except OSError as error:
        return f"{ident} refused {type(error).__name__}"
    finally:
        sock.close()
    words = data.decode(errors="replace").split()
    expected_start = ["echo", message.decode(), "from"]
    if len(words) != 6 or words[:3] != expected_start or words[4] != "port":
        return f"{ident} refused garbled:{'_'.join(words)}"
    return f"{ident} ok {words[3]} {words[5]}"


def probe(seconds):
    lines = [line.split() for line in sys.stdin if line.strip()]
    results = [None] * len(lines)

    def run(index, fields):
        results[index] = probe_one(fields[0], fields[1], fields[2], int(fields[3]), seconds)

    threads = [
        threading.Thread(target=run, args=(index, fields)) for index, fields in enumerate(lines)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("\n".join(results))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "listen":
        listen([int(port) for port in sys.argv[2:]])
    else:
        probe(float(sys.argv[2]))
