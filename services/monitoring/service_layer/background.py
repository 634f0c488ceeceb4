"""Background work of the monitoring process: the missing-data sweep and the permit-limit refresh."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

from sqlalchemy.engine import Engine

from services.monitoring.adapters import readings as readings_repo
from services.monitoring.service_layer import recording, restore
from services.monitoring.service_layer.assessment import Assessor
from services.monitoring.service_layer.evaluator import Evaluator, FaultFound, Outcome
from shared.clock import Clock
from shared.consumer import EventConsumer, Handler

log = logging.getLogger(__name__)


def sweep_missing(engine: Engine, evaluator: Evaluator, clock: Clock, notify: Callable[[], None]) -> int:
    """Open a missing-data fault on every series silent for too long; returns how many opened."""
    now_ms = int(clock.now().timestamp() * 1000)
    limit_intervals = evaluator.config.quality.missing_after_intervals
    infos = evaluator.catalog.all_series()
    with engine.connect() as conn:
        latest = readings_repo.latest_of(conn, series_ids=[i.series_id for i in infos])
    silent = [
        i
        for i in infos
        if i.series_id in latest and now_ms - latest[i.series_id][0] > limit_intervals * i.interval_ms
    ]
    opened = 0
    for info in silent:
        with evaluator.locks.hold([info.station.station_id]):
            try:
                with engine.begin() as conn:
                    restore.ensure_series(evaluator, conn, {info.series_id})
                    change = evaluator.states[info.series_id].quality.silent(now_ms)
                    if change is None:
                        continue  # already open, or a reading came meanwhile
                    outcome = Outcome(faults=[FaultFound(info, change, evaluator.new_id())])
                    _, written = recording.record(conn, outcome)
                    opened += written
            except Exception:
                evaluator.forget([info.series_id], [])
                raise
    if opened:
        notify()
    return opened


class Periodic:
    """Runs a function every few seconds in a thread; a failure is logged and tried again next time."""

    def __init__(self, name: str, every: float, work: Callable[[], object]) -> None:
        self.name = name
        self.every = every
        self.work = work
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current run."""
        self._stop.set()
        if self._thread:
            self._thread.join(10)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.work()
            except Exception:
                log.exception("%s failed; will run again", self.name)


class PermitConsumer(EventConsumer):
    """The permit-event consumer; after each committed event the in-memory limits are re-read."""

    def __init__(
        self,
        engine: Engine,
        bootstrap_servers: str,
        assessor: Assessor,
        *,
        group_id: str,
        topics: list[str],
        handlers: Mapping[str, Handler],
    ) -> None:
        super().__init__(engine, bootstrap_servers, group_id=group_id, topics=topics, handlers=handlers)
        self.assessor = assessor

    def handle_raw(self, raw: bytes) -> bool:
        """Apply the event once, then refresh the limits the ingestion path uses."""
        handled = super().handle_raw(raw)
        if handled:
            self.assessor.reload_from(self.engine)
        return handled
