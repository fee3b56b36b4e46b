# Sends one datagram from a fixed source port and prints the reply and who sent it:
# "<reply> | <sender address> <sender port>". Exit 1 when nothing comes back in 3 seconds.
# Usage: udp_client.py SOURCE_PORT DESTINATION PORT MESSAGE
import socket
import sys

source_port, destination, port, message = sys.argv[1:5]
family = socket.AF_INET6 if ":" in destination else socket.AF_INET
client = socket.socket(family, socket.SOCK_DGRAM)
client.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", int(source_port)))
client.settimeout(3)
for attempt in range(3):
    client.sendto(message.encode(), (destination, int(port)))
    try:
        data, peer = client.recvfrom(65535)
    except socket.timeout:
        continue
    print(f"{data.decode()} | {peer[0]} {peer[1]}")
    sys.exit(0)
sys.exit(1)
