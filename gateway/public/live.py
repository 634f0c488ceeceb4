"""What the public code page shows, kept for a moment so that a crowd scanning one sticker costs
the code service and enforcement one look-up a second, not one each.

An entry is fresh for `ttl` seconds (2 by default): the page then shows a status at most that old,
and a code revoked in the meantime is still shown for at most that long. When the code service or
enforcement does not answer, the last known entry is served for up to `stale_for` seconds with its
age on the page; after that, or with nothing known, the page says it is unavailable (503). One
request per token asks the services at a time; while it does, the others are answered with what
is known if it is at most `refresh_grace` seconds past its freshness, and wait only otherwise, so
a busy page never stalls on its own refresh.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import grpc

from eco.v1 import codes_pb2


@dataclass(frozen=True)
class Known:
    """A token's resolution and the public view built from it, and when they were asked."""

    found: codes_pb2.ResolveTokenResponse
    view: dict[str, Any]
    asked_at: float  # monotonic
    asked_wall: datetime
    # The public's answers built from it (HTML, JSON), made once (gateway.public.page).
    rendered: dict[str, bytes] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Answer:
    known: Known
    stale_seconds: float | None = None  # set when the services did not answer and this is older


@dataclass
class _Slot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    known: Known | None = None


class LiveStatus:
    """A bounded map token -> Known, refreshed at most every `ttl` seconds per token."""

    def __init__(
        self,
        *,
        ttl: float = 2.0,
        stale_for: float = 3600.0,
        max_tokens: int = 20_000,
        refresh_grace: float = 5.0,
    ) -> None:
        self.ttl, self.stale_for, self.max_tokens = ttl, stale_for, max_tokens
        self.refresh_grace = refresh_grace
        self._slots: OrderedDict[str, _Slot] = OrderedDict()
        self._lock = threading.Lock()

    def _slot(self, token: str) -> _Slot:
        with self._lock:
            slot = self._slots.get(token)
            if slot is None:
                slot = self._slots[token] = _Slot()
                while len(self._slots) > self.max_tokens:  # forget the least recently asked
                    self._slots.popitem(last=False)
            else:
                self._slots.move_to_end(token)
            return slot

    def fresh(self, token: str) -> Known | None:
        """What is known of the token if it is fresh, without asking anyone (None otherwise)."""
        with self._lock:
            slot = self._slots.get(token)
        known = slot.known if slot is not None else None
        if known is None or slot is None:
            return None
        age = time.monotonic() - known.asked_at
        if age < self.ttl or (slot.lock.locked() and age < self.ttl + self.refresh_grace):
            return known
        return None

    def get(self, token: str, ask: Callable[[], Known]) -> Answer:
        """The token's status, asking the services when what is known is older than `ttl`; raises the
        services' error when they fail and nothing usable is known."""
        slot = self._slot(token)
        known = slot.known
        if known is not None and time.monotonic() - known.asked_at < self.ttl:
            return Answer(known)
        if not slot.lock.acquire(blocking=False):  # another request is asking right now
            if known is not None and time.monotonic() - known.asked_at < self.ttl + self.refresh_grace:
                return Answer(known)
            slot.lock.acquire()
        try:
            known = slot.known  # another request may have asked while this one waited
            if known is not None and time.monotonic() - known.asked_at < self.ttl:
                return Answer(known)
            try:
                slot.known = fresh = ask()
                return Answer(fresh)
            except grpc.RpcError:
                age = None if known is None else time.monotonic() - known.asked_at
                if known is None or age is None or age > self.stale_for:
                    raise
                return Answer(known, stale_seconds=age)
        finally:
            slot.lock.release()
