"""Per-address limit on the desk's password and set-up-link posts: a client address may try
`LOGIN_BURST` times at once, then `LOGIN_PER_MINUTE` times a minute (a guesser spread over many
accounts is slowed down; one account is protected by its own lock-out, kept in the database).

Kept in memory (`verification.ratelimit.RateLimiter`: bounded, IPv6 by its /64; the address is the one
`bot.http_guards` settled, X-Forwarded-For only from the trusted proxies), and shared by the replicas when
the limiter is one of `verification.shared_limits`."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import Request

from verification.ratelimit import RateLimiter, client_key

LOGIN_PER_MINUTE = 10
LOGIN_BURST = 20
TOO_MANY = "Terlalu banyak percobaan masuk dari alamat ini. Tunggu sebentar, lalu coba lagi."


class LoginThrottle:
    def __init__(self, per_minute: int = LOGIN_PER_MINUTE, burst: int = LOGIN_BURST,
                 clock: Callable[[], float] = time.monotonic, limiter: RateLimiter | None = None) -> None:
        self.limiter = limiter if limiter is not None else RateLimiter(per_minute, burst=burst, clock=clock)

    @staticmethod
    def client(request: Request) -> str:
        return client_key(request.client.host if request.client else None)

    def allow(self, request: Request) -> bool:
        """Count one attempt of the request's client address; False once it is over its allowance."""
        return self.limiter.allow(self.client(request))

    def retry_after(self, request: Request) -> int:
        return self.limiter.retry_after(self.client(request))
