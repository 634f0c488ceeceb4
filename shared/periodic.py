"""The one periodic-worker helper: run a job every few seconds in a thread until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Runs `work` every `every` seconds (first at once when `run_first`); a failure is logged and
    the job runs again next time (the database may be restarting; the next pass catches up)."""

    def __init__(
        self, name: str, every: float, work: Callable[[], object], *, run_first: bool = False
    ) -> None:
        self.name = name
        self.every = every
        self.work = work
        self.run_first = run_first
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the run in progress."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def run_once(self) -> None:
        """One run, in the caller's thread."""
        self.work()
        self.runs += 1

    def _loop(self) -> None:
        if not self.run_first and self._stop.wait(self.every):
            return
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("%s failed; will run again", self.name)
            self._stop.wait(self.every)
