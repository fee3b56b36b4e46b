# Writes hostile frames into a tap from the container's side, through an AF_PACKET socket:
# random bytes, truncated and mutated copies of valid frames, oversized frames, and valid
# UDP datagrams to ever new (port, port) pairs so that the engine opens flow after flow.
# Usage: frame_flood.py IFNAME COUNT SERVER_IPV4 SOURCE_IPV4 ENGINE_MAC
# Prints how many frames the kernel accepted.
import os
import random
import socket
import struct
import sys

interface, count, server, source, engine_mac = sys.argv[1:6]
count = int(count)
random.seed(7)
sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sender.bind((interface, 0))
own_mac = open(f"/sys/class/net/{interface}/address").read().strip()
ethernet = bytes.fromhex(engine_mac.replace(":", "")) + bytes.fromhex(own_mac.replace(":", ""))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp_frame(source_port, destination_port, payload=b"flood"):
    length = 8 + len(payload)
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + length, 0, 0x4000, 64, 17, 0,
                         socket.inet_aton(source), socket.inet_aton(server))
    header = header[:10] + struct.pack(">H", checksum(header)) + header[12:]
    udp = struct.pack(">HHHH", source_port, destination_port, length, 0) + payload
    return ethernet + b"\x08\x00" + header + udp


valid = [udp_frame(1024 + i, 2000 + i) for i in range(64)]
arp = ethernet[:6] + b"\xff" * 6
pool = []
for i in range(4096):
    kind = i % 6
    if kind == 0:
        pool.append(os.urandom(random.randint(1, 1500)))
    elif kind == 1:
        frame = random.choice(valid)
        pool.append(frame[:random.randint(1, len(frame))])
    elif kind == 2:
        frame = bytearray(random.choice(valid))
        for _ in range(4):
            frame[random.randrange(len(frame))] = random.randrange(256)
        pool.append(bytes(frame))
    elif kind == 3:
        pool.append(ethernet + random.choice([b"\x08\x00", b"\x86\xdd", b"\x08\x06"])
                    + os.urandom(random.randint(0, 64)))
    elif kind == 4:
        pool.append(ethernet + b"\x08\x00" + os.urandom(random.randint(20000, 65000)))
    else:
        pool.append(None)  # a new UDP flow, made when sent

sent = 0
flow = 0
for index in range(count):
    frame = pool[index % len(pool)]
    if frame is None:
        flow += 1
        frame = udp_frame(1024 + flow % 60000, 3000 + (flow * 7) % 60000)
    try:
        sender.send(frame)
        sent += 1
    except OSError:
        pass
print(sent)
