"""Per-station locks in this process (threads); across replicas see adapters/locks.py."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class StationLocks:
    """One lock per station, taken in id order, so batches of different stations run side by side."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, station_ids: Iterable[str]) -> Iterator[None]:
        """Hold the locks of these stations for the block."""
        with self._guard:
            locks = [self._locks.setdefault(sid, threading.Lock()) for sid in sorted(set(station_ids))]
        for lock in locks:
            lock.acquire()
        try:
            yield
        finally:
            for lock in reversed(locks):
                lock.release()
