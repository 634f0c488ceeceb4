"""An audit record for every gRPC call, written behind the call so it adds no database round trip."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

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

    def __init__(self, engine: Engine, flush_seconds: float = 0.5) -> None:
        self.engine = engine
        self.flush_seconds = flush_seconds
        self._queue: queue.Queue[AuditRecord] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, entry: AuditRecord) -> None:
        self._queue.put(entry)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="audit-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
        self.flush()

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
        except Exception:
            for entry in batch:
                self._queue.put(entry)
            raise
        return len(batch)
