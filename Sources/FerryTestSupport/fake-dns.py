# A tiny DNS responder for the engine tests, run inside the fake host namespace.
# Answers every A query with FAKE_A and every AAAA query with FAKE_AAAA (TTL 60), anything
# else with an empty answer. Prints "ready" once its sockets are bound.
import select
import socket
import struct
import sys

FAKE_A = sys.argv[1]
FAKE_AAAA = sys.argv[2]
LISTEN = sys.argv[3:] or ["127.0.0.1", "::1"]


def answer(query):
    if len(query) < 12:
        return None
    ident, _flags, qdcount = struct.unpack("!HHH", query[:6])
    if qdcount != 1:
        return None
    end = 12
    while end < len(query) and query[end] != 0:
        end += query[end] + 1
    end += 1
    if end + 4 > len(query):
        return None
    qtype, _qclass = struct.unpack("!HH", query[end:end + 4])
    question = query[12:end + 4]
    records = b""
    count = 0
    if qtype == 1:
        records = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_pton(
            socket.AF_INET, FAKE_A)
        count = 1
    elif qtype == 28:
        records = struct.pack("!HHHIH", 0xC00C, 28, 1, 60, 16) + socket.inet_pton(
            socket.AF_INET6, FAKE_AAAA)
        count = 1
    header = struct.pack("!HHHHHH", ident, 0x8180, 1, count, 0, 0)
    return header + question + records


sockets = []
for address in LISTEN:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((address, 53))
    sockets.append(sock)
print("ready", flush=True)

while True:
    readable, _, _ = select.select(sockets, [], [])
    for sock in readable:
        data, peer = sock.recvfrom(4096)
        reply = answer(data)
        if reply is not None:
            sock.sendto(reply, peer)
