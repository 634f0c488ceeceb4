"""The expiry scheduler: a background worker that runs expire_due every few seconds."""

from __future__ import annotations

import logging
import threading

from services.permits.service_layer.expiry import expire_due
from services.permits.service_layer.unit_of_work import Deps

log = logging.getLogger(__name__)


class ExpiryScheduler:
    """Calls expire_due(now) with the service's clock every `every` seconds until stop()."""

    def __init__(self, deps: Deps, every: float = 60.0) -> None:
        self.deps = deps
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> None:
        """Run once now, then every `every` seconds, in a background thread."""
        self._thread = threading.Thread(target=self._loop, name="permits-expiry", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the run in progress."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def run_once(self) -> None:
        """One pass at the clock's current time."""
        expire_due(self.deps, self.deps.clock.now())
        self.runs += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the database may be restarting; the next pass catches up
                log.exception("expiry pass failed; retrying next time")
            self._stop.wait(self.every)
