"""Loopback addresses standing in for private IPs: one block of 127.0.0.0/8 per emulated region.

Every address of 127.0.0.0/8 is loopback on Linux, so an instance can own `127.A.B.N:80` as an EC2
instance owns its private IP's port 80, and several regions on one machine (parallel test runs)
pick different blocks. Nothing here ever binds outside 127.0.0.0/8.
"""

import random
import socket
import threading


def _free(address: str, port: int = 80) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, port))
        except OSError:
            return False
    return True


class LoopbackBlock:
    """Hands out 127.A.B.2-254; 127.A.B.1 stays free for nothing in particular (a gateway)."""

    def __init__(self, rng: random.Random | None = None) -> None:
        rng = rng or random.Random()
        self._lock = threading.Lock()
        self._in_use: set[str] = set()
        for _ in range(50):
            # 127.0.x is where people put their own test servers; stay out of it.
            a, b = rng.randint(16, 250), rng.randint(0, 255)
            if _free(f"127.{a}.{b}.2"):
                self.prefix = f"127.{a}.{b}."
                return
        raise RuntimeError("no free 127.x.y.0/24 block for the emulated data plane")

    def take(self) -> str:
        with self._lock:
            for host in range(2, 255):
                address = f"{self.prefix}{host}"
                if address not in self._in_use and _free(address):
                    self._in_use.add(address)
                    return address
        raise RuntimeError(f"every address of {self.prefix}0/24 is in use")

    def give_back(self, address: str) -> None:
        with self._lock:
            self._in_use.discard(address)
