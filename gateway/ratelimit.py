"""Rate limits for the public routes (code pages, petitions), kept in memory only.

Privacy: the limiter never stores a client address. It keys each client by an HMAC of the address
under a random key made at start-up and never written anywhere, so the keys cannot be turned back
into addresses (not even by trying all IPv4 addresses) and mean nothing after a restart. A key
lives only while it has requests inside the window (one minute); the scan log in the code service
keeps counts per enterprise and day, nothing about who scanned.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import Request

# Beyond this many distinct clients in one window, the oldest idle entries are dropped first.
MAX_CLIENTS = 100_000


class RateLimited(Exception):
    """Too many requests from one client; the public routes answer 429 with Retry-After."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"too many requests; try again in {self.retry_after} s")


class RateLimiter:
    """A sliding window of `limit` requests per `window` seconds per client."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1:
            raise ValueError("a rate limit allows at least one request per window")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def client_key(self, address: str) -> str:
        """The pseudonymous key of a client address (keyed hash; the address itself is not kept)."""
        return hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()[:32]

    def hit(self, address: str) -> None:
        """Count one request; RateLimited (with the seconds to wait) when the client is over its limit."""
        now = self._clock()
        key = self.client_key(address)
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                raise RateLimited(hits[0] + self.window - now)
            hits.append(now)
            if len(self._hits) > MAX_CLIENTS:
                self._sweep(now)

    def _sweep(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]

    def tracked_clients(self) -> int:
        """How many client keys are held right now (for tests and metrics)."""
        with self._lock:
            self._sweep(self._clock())
            return len(self._hits)


_create_lock = threading.Lock()


def limiter_of(request: Request) -> RateLimiter:
    """The app's limiter for public routes, made on first use from the gateway's settings."""
    state = request.app.state
    with _create_lock:
        limiter = getattr(state, "public_limiter", None)
        if limiter is None:
            limiter = state.public_limiter = RateLimiter(state.settings.public_rate_per_minute)
    return limiter  # type: ignore[no-any-return]


def hit_public(request: Request) -> None:
    """Count a public request against its client's limit; RateLimited when over it."""
    limiter_of(request).hit(request.client.host if request.client else "unknown")
