#!/usr/bin/env python3
# A test upstream for aardvark-dns: `upstream-dns.py LISTEN ANSWER` answers A queries for
# outside.test. with ANSWER (tests use documentation addresses, never routed) and NXDOMAIN
# for anything else. Listens on LISTEN:53 (UDP) in the namespace it runs in; prints
# "ready" once bound.
import socket
import struct
import sys

ANSWER_NAME = b"\x07outside\x04test\x00"
ANSWER_ADDRESS = socket.inet_aton(sys.argv[2])

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((sys.argv[1], 53))
print("ready", flush=True)
while True:
    query, peer = sock.recvfrom(512)
    if len(query) < 12:
        continue
    ident, _flags, qdcount = struct.unpack("!HHH", query[:6])
    end = query.index(b"\x00", 12) + 5
    question = query[12:end]
    name, qtype = question[:-4], struct.unpack("!H", question[-4:-2])[0]
    found = name.lower() == ANSWER_NAME and qtype == 1
    flags = 0x8180 if found else 0x8183
    header = struct.pack("!HHHHHH", ident, flags, 1, 1 if found else 0, 0, 0)
    answer = b""
    if found:
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + ANSWER_ADDRESS
    sock.sendto(header + question + answer, peer)
