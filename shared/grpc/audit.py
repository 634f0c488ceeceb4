"""An audit record for every gRPC call, written behind the call so it adds no database round trip."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from shared.schema import audit_log

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    department: str
    method: str
    status: str
    duration_ms: float
    trace_id: str
    peer: str
    detail: str | None = None


class AuditWriter:
    """Queues records and inserts them in batches from one thread; flushes everything on stop."""

    def __init__(self, engine: Engine, flush_seconds: float = 0.5, max_queued: int = 100_000) -> None:
        self.engine = engine
        self.flush_seconds = flush_seconds
        # Bounded, so a database that stays away cannot take the process's memory with it.
        self._queue: queue.Queue[AuditRecord] = queue.Queue(maxsize=max_queued)
        self.dropped = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, entry: AuditRecord) -> None:
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self.dropped += 1
            log.error("audit: queue full, record of %s dropped (%d so far)", entry.method, self.dropped)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="audit-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Write what is still queued; a database away at shutdown is reported, never raised."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
        try:
            self.flush()
        except (OperationalError, InterfaceError) as exc:
            # Raising here would leave the service's other workers running and its engine open; the
            # records cannot outlive the process, so the log says exactly how many were not written.
            self.dropped += self._queue.qsize()
            log.error(
                "audit: the database is unavailable at shutdown; %d record(s) not written: %s",
                self._queue.qsize(),
                exc.orig if exc.orig is not None else exc,
            )

    def _loop(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            try:
                self.flush()
            except Exception:  # the database may be restarting; the records stay queued
                log.warning("audit: flush failed, will retry", exc_info=True)

    def flush(self) -> int:
        """Write what is queued; returns the number of records written."""
        batch: list[AuditRecord] = []
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if not batch:
            return 0
        try:
            with self.engine.begin() as conn:
                conn.execute(audit_log.insert(), [asdict(entry) for entry in batch])
            return len(batch)
        except (OperationalError, InterfaceError):
            for entry in batch:  # the database is away: keep them for the next flush
                self.record(entry)
            raise
        except DBAPIError:
            # One bad record must not hold back the rest forever: write them one by one.
            return self._write_one_by_one(batch)

    def _write_one_by_one(self, batch: list[AuditRecord]) -> int:
        written = 0
        for entry in batch:
            try:
                with self.engine.begin() as conn:
                    conn.execute(audit_log.insert(), [asdict(entry)])
                written += 1
            except DBAPIError as exc:
                self.dropped += 1
                log.error("audit: record %s refused by the database, dropped: %s", entry, exc)
        return written
