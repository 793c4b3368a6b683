"""Per-client token buckets with bounded memory.

At most `max_clients` buckets are kept (least recently seen evicted), so a flood of
spoofed addresses cannot grow memory. A limiter counts in its process; with several workers or
hosts, `verification.shared_limits` tells each what the others let a client spend (`on_spend`,
`debit`), without a database write per request.

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
                 clock: Callable[[], float] = time.monotonic,
                 on_spend: Callable[[str, float], None] | None = None) -> None:
        """`on_spend(client, cost)`: told of every request allowed (the replicas' shared count)."""
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else per_minute)
        self.max_clients = max_clients
        self._clock = clock
        self._on_spend = on_spend
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)

    def _take(self, client: str) -> tuple[float, float]:
        """The client's tokens now (refilled since last seen; a full bucket for a new client), and now."""
        now = self._clock()
        tokens, at = self._buckets.pop(client, (self.burst, now))
        return min(self.burst, tokens + max(0.0, now - at) * self.rate), now

    def _put(self, client: str, tokens: float, now: float) -> None:
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)

    def allow(self, client: str, cost: float = 1.0) -> bool:
        """Take `cost` tokens from the client's bucket, if it holds them (an expensive request costs more)."""
        cost = min(cost, self.burst)
        tokens, now = self._take(client)
        allowed = tokens >= cost
        self._put(client, tokens - cost if allowed else tokens, now)
        if allowed and self._on_spend is not None:
            self._on_spend(client, cost)
        return allowed

    def debit(self, client: str, tokens: float) -> None:
        """Take `tokens` the client spent elsewhere (another replica); the bucket may go below zero, so that
        what other replicas let through before they knew is paid back by waiting."""
        held, now = self._take(client)
        self._put(client, held - tokens, now)

    def retry_after(self, client: str, cost: float = 1.0) -> int:
        tokens, _ = self._buckets.get(client, (self.burst, 0.0))
        cost = min(cost, self.burst)
        return max(1, int((cost - tokens) / self.rate) + 1) if self.rate > 0 else 60

    def __len__(self) -> int:
        return len(self._buckets)
