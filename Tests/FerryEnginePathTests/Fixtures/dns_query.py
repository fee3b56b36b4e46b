# Asks SERVER for the A record of ferry.test and prints the first address in the answer.
# Usage: dns_query.py SERVER
import socket
import struct
import sys

name = b"".join(bytes([len(part)]) + part for part in b"ferry.test".split(b".")) + b"\0"
query = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + name + struct.pack(">HH", 1, 1)
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.settimeout(3)
client.sendto(query, (sys.argv[1], 53))
reply, peer = client.recvfrom(4096)
assert reply[:2] == b"\x42\x42", "wrong transaction id"
print(".".join(str(octet) for octet in reply[-4:]), peer[0])
