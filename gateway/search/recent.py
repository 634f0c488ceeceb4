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
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class RecentAnswers(Generic[T]):
    """Answers by key for `ttl` seconds, at most `max_entries` of them (oldest dropped first)."""

    def __init__(
        self, ttl: float, *, max_entries: int = 2048, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._kept: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self._in_flight: dict[str, asyncio.Task[T]] = {}

    async def get(self, key: str, fetch: Callable[[], Awaitable[T]]) -> T:
        """The answer kept for `key` if still fresh, else the one `fetch` gives (shared by every
        caller asking for `key` while it runs)."""
        if self.ttl <= 0:
            return await fetch()
        now = self._clock()
        kept = self._kept.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        task = self._in_flight.get(key)
        if task is None:
            # A task of its own: the caller that started it may go away (its client left) without
            # cancelling the answer the others wait for.
            task = asyncio.ensure_future(self._fetch_and_keep(key, fetch))
            task.add_done_callback(_retrieve)
            self._in_flight[key] = task
        return await asyncio.shield(task)

    async def _fetch_and_keep(self, key: str, fetch: Callable[[], Awaitable[T]]) -> T:
        try:
            answer = await fetch()
            self._keep(key, answer)
            return answer
        finally:
            del self._in_flight[key]

    def _keep(self, key: str, answer: T) -> None:
        self._kept[key] = (self._clock() + self.ttl, answer)
        self._kept.move_to_end(key)
        while len(self._kept) > self.max_entries:
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)


def _retrieve(task: asyncio.Task[object]) -> None:
    # Every waiter may have gone before a failure: asyncio would then log it as never retrieved.
    if not task.cancelled():
        task.exception()
