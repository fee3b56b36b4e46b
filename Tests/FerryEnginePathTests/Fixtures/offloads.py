# Reads, and with "on" or "off" first sets, an interface's TX checksum and TSO offloads
# through the ethtool ioctl (SIOCETHTOOL with the legacy ETHTOOL_[GS]TXCSUM and
# ETHTOOL_[GS]TSO commands), for machines without the ethtool program.
# Usage: offloads.py IFNAME [on|off]
# Prints e.g. "tx-checksum on tso on".
import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
GET_TXCSUM, SET_TXCSUM, GET_TSO, SET_TSO = 0x16, 0x17, 0x1E, 0x1F


def ethtool(sock, interface, command, data=0):
    value = ctypes.create_string_buffer(struct.pack("II", command, data))
    request = struct.pack("16sP16x", interface.encode(), ctypes.addressof(value))
    fcntl.ioctl(sock, SIOCETHTOOL, request)
    return struct.unpack("II", value.raw[:8])[1]


interface = sys.argv[1]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if len(sys.argv) > 2:
    wanted = 1 if sys.argv[2] == "on" else 0
    # TSO needs the checksum offload: set the checksum first when turning on, last when off.
    order = [SET_TXCSUM, SET_TSO] if wanted else [SET_TSO, SET_TXCSUM]
    for command in order:
        ethtool(sock, interface, command, wanted)
checksum = ethtool(sock, interface, GET_TXCSUM)
tso = ethtool(sock, interface, GET_TSO)
print(f"tx-checksum {'on' if checksum else 'off'} tso {'on' if tso else 'off'}")
