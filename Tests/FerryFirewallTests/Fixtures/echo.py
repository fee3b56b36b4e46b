# Connection tester for the firewall tests: the server answers every connection (tcp) or
# datagram (udp) with the address it came from, so a client learns whether its source
# address was kept or rewritten.
#   echo.py server tcp|udp ADDRESS PORT
#   echo.py client tcp|udp ADDRESS PORT      prints what the server saw, exit 1 on failure
import socket
import sys
import time


def family(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def server(proto, address, port):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    sock = socket.socket(family(address), kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    if proto == "tcp":
        sock.listen(16)
    print("ready", flush=True)
    while True:
        if proto == "tcp":
            conn, peer = sock.accept()
            conn.recv(100)
            conn.sendall(peer[0].encode())
            conn.close()
        else:
            _, peer = sock.recvfrom(100)
            sock.sendto(peer[0].encode(), peer)


def client(proto, address, port):
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    deadline = time.time() + 3
    while True:
        sock = socket.socket(family(address), kind)
        sock.settimeout(0.5)
        try:
            sock.connect((address, port))
            sock.send(b"hello")
            print(sock.recv(100).decode())
            return 0
        except OSError as error:
            if time.time() > deadline:
                print(f"failed: {error}", file=sys.stderr)
                return 1
            time.sleep(0.1)
        finally:
            sock.close()


if __name__ == "__main__":
    mode, proto, address, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    sys.exit(server(proto, address, port) if mode == "server" else client(proto, address, port))
