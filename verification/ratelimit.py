"""Per-client token buckets with bounded memory.

At most `max_clients` buckets are kept (least recently seen evicted), so a flood of
spoofed addresses cannot grow memory. This is per process: with several workers or
hosts, a shared store (Redis, or the reverse proxy's limiter) is the scale-out option.

A client is its address as the server saw it (X-Forwarded-For counts only from the trusted
proxies, see `bot.http_guards`); an IPv6 client is its /64 network, since one host commonly
holds a whole /64 and could otherwise change address at every request.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable

IPV6_PREFIX = 64


def client_key(address: str | None) -> str:
    """The bucket of a client address: IPv4 as it is, IPv6 by its /64 network."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


class RateLimiter:
    def __init__(self, per_minute: int, burst: int | None = None, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else per_minute)
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)

    def allow(self, client: str, cost: float = 1.0) -> bool:
        """Take `cost` tokens from the client's bucket, if it holds them (an expensive request costs more)."""
        cost = min(cost, self.burst)
        now = self._clock()
        tokens, at = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        allowed = tokens >= cost
        self._buckets[client] = (tokens - cost if allowed else tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return allowed

    def retry_after(self, client: str, cost: float = 1.0) -> int:
        tokens, _ = self._buckets.get(client, (self.burst, 0.0))
        cost = min(cost, self.burst)
        return max(1, int((cost - tokens) / self.rate) + 1) if self.rate > 0 else 60

    def __len__(self) -> int:
        return len(self._buckets)
