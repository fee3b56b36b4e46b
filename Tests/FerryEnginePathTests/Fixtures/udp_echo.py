# A UDP echo server for the engine's tests: answers each datagram with
# "<peer address> <peer port> <data>", so the client can check what the server saw.
# Usage: udp_echo.py ADDRESS PORT   (prints "listening" once bound); ADDRESS "any" listens
# on both families (IPv4 peers then show as ::ffff:a.b.c.d).
import socket
import sys

address, port = sys.argv[1], int(sys.argv[2])
family = socket.AF_INET6 if ":" in address or address == "any" else socket.AF_INET
server = socket.socket(family, socket.SOCK_DGRAM)
if address == "any":
    address = "::"
    server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((address, port))
print("listening", flush=True)
while True:
    data, peer = server.recvfrom(65535)
    server.sendto(f"{peer[0]} {peer[1]} ".encode() + data, peer)
