# Connects from the container while watching the tap with an AF_PACKET socket, and reports
# how the connect ended and the flags of every TCP segment that came back from the target.
# Usage: tcp_probe.py IFNAME ADDRESS PORT TIMEOUT
# Prints e.g. "refused RA" or "timeout" (no segment came back at all).
import socket
import sys
import time

interface, address, port, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
sniffer.bind((interface, 0))
sniffer.setblocking(False)
family = socket.AF_INET6 if ":" in address else socket.AF_INET
client = socket.socket(family, socket.SOCK_STREAM)
client.settimeout(timeout)
try:
    client.connect((address, port))
    outcome = "connected"
except ConnectionRefusedError:
    outcome = "refused"
except (socket.timeout, TimeoutError):
    outcome = "timeout"
except OSError as error:
    outcome = f"error-{error.errno}"
client.close()
time.sleep(0.2)

names = "FSRPAU"
seen = []
while True:
    try:
        frame, meta = sniffer.recvfrom(65600)
    except BlockingIOError:
        break
    if meta[2] == socket.PACKET_OUTGOING:
        continue
    kind = int.from_bytes(frame[12:14], "big")
    if kind == 0x0800 and frame[23] == 6:
        tcp = frame[14 + (frame[14] & 15) * 4:]
    elif kind == 0x86DD and frame[20] == 6:
        tcp = frame[54:]
    else:
        continue
    if int.from_bytes(tcp[0:2], "big") != port:
        continue
    seen.append("".join(n for i, n in enumerate(names) if tcp[13] >> i & 1))
print(" ".join([outcome] + seen))
