# The seeded byte stream both ends of the TCP tests generate: 1 MiB blocks, each the
# SHA-256 counter stream of (seed, block number) repeated, so it is cheap and not periodic.
import hashlib


def block(seed, number, size):
    head = b"".join(
        hashlib.sha256(f"{seed}/{number}/{i}".encode()).digest() for i in range(64))
    return (head * (size // len(head) + 1))[:size]


def stream(seed, total):
    number = 0
    while total > 0:
        size = min(total, 1 << 20)
        yield block(seed, number, size)
        total -= size
        number += 1
