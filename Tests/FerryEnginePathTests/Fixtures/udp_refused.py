# Sends one datagram from a connected UDP socket and prints how the destination answered:
# "refused" (the kernel reported ECONNREFUSED: an ICMP port unreachable came back), "reply",
# or "timeout" after 3 seconds. Usage: udp_refused.py DESTINATION PORT
import socket
import sys

destination, port = sys.argv[1], int(sys.argv[2])
family = socket.AF_INET6 if ":" in destination else socket.AF_INET
client = socket.socket(family, socket.SOCK_DGRAM)
client.settimeout(3)
# getaddrinfo keeps the scope of a link-local address ("fe80::1%tap0").
client.connect(socket.getaddrinfo(destination, port, family, socket.SOCK_DGRAM)[0][4])
client.send(b"anyone there?")
try:
    client.recv(65535)
    print("reply")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
