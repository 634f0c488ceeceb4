"""Scans of code pages, counted in memory and sent to the code service in batches.

A page view costs a dictionary increment instead of a database write in another service. About
once a second a batch goes to `CodesService.RecordScans` under an id of its own; a batch that fails
is kept and sent again with the same id (the code service counts an id once), so nothing is
counted twice and nothing is dropped while the code service is away. What a crash of the gateway
loses is the scans of the last interval (at most about a second), which the README says.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date

import grpc

from eco.v1 import codes_pb2, common_pb2

log = logging.getLogger(__name__)
Send = Callable[[codes_pb2.RecordScansRequest], codes_pb2.RecordScansResponse]
# A batch the code service refuses as a whole (a bug, not an outage) is logged and let go.
REFUSED = (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED)


def _request(batch_id: str, counts: Counter[tuple[str, date]]) -> codes_pb2.RecordScansRequest:
    return codes_pb2.RecordScansRequest(
        batch_id=batch_id,
        counts=[
            codes_pb2.ScanCount(
                uscc=uscc, day=common_pb2.Date(year=d.year, month=d.month, day=d.day), count=n
            )
            for (uscc, d), n in sorted(counts.items())
        ],
    )


class ScanCounter:
    """Counts scans per enterprise and day; a worker thread flushes them every `every` seconds."""

    def __init__(self, send: Send, *, every: float = 1.0) -> None:
        self._send, self._every = send, every
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, date]] = Counter()
        self._pending: list[codes_pb2.RecordScansRequest] = []  # cut into batches, not yet acknowledged
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scan-counter", daemon=True)

    def add(self, uscc: str, day: date) -> None:
        """One scan of the enterprise's code on the (local) day."""
        with self._lock:
            self._counts[(uscc, day)] += 1

    def flush(self) -> int:
        """Send what is counted (and any batch not yet acknowledged); returns the scans acknowledged."""
        with self._lock:
            if self._counts:
                self._pending.append(_request(uuid.uuid4().hex, self._counts))
                self._counts = Counter()
            batches, self._pending = self._pending, []
        sent = 0
        for n, batch in enumerate(batches):
            try:
                sent += self._send(batch).recorded
            except grpc.RpcError as error:
                if error.code() in REFUSED:  # type: ignore[attr-defined]
                    log.error("scan batch %s refused, dropped: %s", batch.batch_id, error.details())  # type: ignore[attr-defined]
                    continue
                with self._lock:  # kept, in order, for the next flush with the same batch ids
                    self._pending[:0] = batches[n:]
                break
        return sent

    def start(self) -> None:
        """Flush in the background until stop()."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker and send what is left once."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self.flush()
            except Exception:  # a bug must not stop the counting
                log.exception("flushing scan counts failed")
