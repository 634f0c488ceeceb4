"""Recent search answers: identical searches within a fraction of a second share one answer.

Elasticsearch makes a write searchable only at its next refresh (every second), so an answer is
already up to a second behind the topics; keeping it a further `ttl` (0.5 s by default) costs
operators little and spares Elasticsearch and the gateway the same work when many people search
the same thing (a campaign, a dashboard polling). Concurrent identical searches wait for the one
request in flight instead of each sending their own. Failures are never kept: the next identical
search asks Elasticsearch again. `ttl` 0 turns it off.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Abandoned(Exception):
    """The caller that started a search went away before its answer came."""


class RecentAnswers(Generic[T]):
    """Answers by key for `ttl` seconds, at most `max_entries` of them (oldest dropped first)."""

    def __init__(
        self, ttl: float, *, max_entries: int = 2048, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._kept: OrderedDict[Hashable, tuple[float, T]] = OrderedDict()
        self._in_flight: dict[Hashable, asyncio.Future[T]] = {}

    async def get(self, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        """The answer kept for `key` if still fresh, else the one `fetch` gives (shared by every
        caller asking for `key` while it runs)."""
        if self.ttl <= 0:
            return await fetch()
        kept = self._kept.get(key)
        if kept is not None and kept[0] > self._clock():
            return kept[1]
        pending = self._in_flight.get(key)
        if pending is not None:
            try:
                # Shielded: a waiter going away must not cancel the answer the others wait for.
                return await asyncio.shield(pending)
            except _Abandoned:
                return await self.get(key, fetch)  # its starter went away: one of us asks again
        # The first caller asks itself, in its own task: a task per search cost about 40 µs of the
        # event loop's time (README "Benchmarks"), and nearly every search is nobody else's.
        pending = asyncio.get_running_loop().create_future()
        self._in_flight[key] = pending
        try:
            answer = await fetch()
        except BaseException as exc:
            # A failure reaches every waiter; the starter's client leaving (CancelledError) sends
            # them to ask again instead of cancelling them too.
            pending.set_exception(exc if isinstance(exc, Exception) else _Abandoned())
            pending.exception()  # retrieved: asyncio would otherwise log it when nobody waited
            raise
        finally:
            del self._in_flight[key]
        self._keep(key, answer)
        pending.set_result(answer)
        return answer

    def _keep(self, key: Hashable, answer: T) -> None:
        self._kept[key] = (self._clock() + self.ttl, answer)
        self._kept.move_to_end(key)
        while len(self._kept) > self.max_entries:
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)
