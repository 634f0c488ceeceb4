"""Ingesting a batch of readings: validate each, judge them, store them and what they raised, in one
transaction, before the caller is answered.

The batch arrives as parallel columns (the servicer unpacks the protobuf once) and is written with
one set-based insert; per reading there is only list work and the rules' dict lookups.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from services.monitoring.adapters import readings as readings_repo
from services.monitoring.adapters.readings import Columns
from services.monitoring.domain.quality import DEVICE_FLAGS, PLATFORM_FLAGS
from services.monitoring.domain.stations import ElectricityMonitor
from services.monitoring.service_layer import recording, restore
from services.monitoring.service_layer.catalog import SeriesInfo
from services.monitoring.service_layer.evaluator import Evaluator
from shared.clock import Clock

# Timestamps before this are a client that forgot to set the time.
_EARLIEST_MS = 946_684_800_000  # 2000-01-01T00:00:00Z


@dataclass
class RawBatch:
    """A batch as received: one list per field, index i is reading i."""

    station_ids: list[str]
    parameters: list[str]
    ts: list[int]
    values: list[float]
    flags: list[int]


@dataclass(frozen=True)
class Rejection:
    """Why reading `index` of a batch was refused."""

    index: int
    field: str
    reason: str


@dataclass
class BatchResult:
    """What happened to one batch."""

    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    alarms: list[recording.Alarm] = field(default_factory=list)
    unassessed: Counter[tuple[str, str, str]] = field(default_factory=Counter)


class Ingestor:
    """Turns batches into stored readings, alarms and events."""

    def __init__(
        self,
        engine: Engine,
        evaluator: Evaluator,
        clock: Clock,
        future_tolerance_ms: int,
        notify: Callable[[], None],
    ) -> None:
        self.engine = engine
        self.evaluator = evaluator
        self.catalog = evaluator.catalog
        self.clock = clock
        self.future_tolerance_ms = future_tolerance_ms
        self.notify = notify

    def _validate(self, raw: RawBatch, result: BatchResult) -> tuple[Columns, list[SeriesInfo]]:
        now_ms = int(self.clock.now().timestamp() * 1000)
        latest_ok = now_ms + self.future_tolerance_ms
        lookup = self.catalog.series
        columns = Columns([], [], [], [])
        infos: list[SeriesInfo] = []
        seen: set[tuple[int, int]] = set()
        reject = result.rejections.append
        isfinite = math.isfinite
        for i, (sid, code, ts, value, flags) in enumerate(
            zip(raw.station_ids, raw.parameters, raw.ts, raw.values, raw.flags, strict=True)
        ):
            info = lookup(sid, code)
            if info is None:
                if self.catalog.has_station(sid):
                    reject(Rejection(i, "parameter", f"station {sid!r} does not measure {code!r}"))
                else:
                    reject(Rejection(i, "station_id", f"unknown station {sid!r}"))
                continue
            if not isfinite(value):
                reject(Rejection(i, "value", "must be a finite number"))
                continue
            if ts > latest_ok:
                reject(Rejection(i, "time", f"{(ts - now_ms) // 1000} s in the future (device clock wrong?)"))
                continue
            if ts < _EARLIEST_MS:
                reject(Rejection(i, "time", "missing or before 2000-01-01"))
                continue
            if flags & ~DEVICE_FLAGS:
                reject(Rejection(i, "flags", "bits 8 and up are set by the platform, not the device"))
                continue
            key = (info.series_id, ts)
            if key in seen:
                result.duplicates += 1  # the same reading twice in one batch: keep the first
                continue
            seen.add(key)
            columns.series_ids.append(info.series_id)
            columns.ts.append(ts)
            columns.values.append(value)
            columns.flags.append(flags)
            infos.append(info)
        return columns, infos

    def ingest(self, raw: RawBatch) -> BatchResult:
        """Validate, judge and durably store one batch; returns its summary."""
        result = BatchResult(received=len(raw.ts))
        unknown = {sid for sid in raw.station_ids if not self.catalog.has_station(sid)}
        if unknown:
            with self.engine.connect() as conn:
                self.catalog.find_missing(conn, unknown)
        columns, infos = self._validate(raw, result)
        if not infos:
            result.accepted = result.received - len(result.rejections)
            return result
        station_ids = {info.station.station_id for info in infos}
        lines = self.evaluator.lines_touched(station_ids)
        locked = set(station_ids) | lines
        for line in lines:
            station = self.catalog.station(line)
            if station is not None and isinstance(station.details, ElectricityMonitor):
                locked.add(station.details.linked_station_id)
        series_ids = set(columns.series_ids)
        written = 0
        with self.evaluator.locks.hold(locked):
            try:
                with self.engine.begin() as conn:
                    restore.ensure_series(self.evaluator, conn, series_ids)
                    pending = restore.ensure_detectors(self.evaluator, conn, lines)
                    outcome = self.evaluator.evaluate(columns, infos)
                    outcome.idle[:0] = pending
                    inserted = readings_repo.insert(conn, columns)
                    readings_repo.upsert_latest(conn, _newest_per_series(columns))
                    readings_repo.add_flags(conn, outcome.retro_flags)
                    result.alarms, written = recording.record(conn, outcome)
            except Exception:
                self.evaluator.forget(series_ids, lines)
                raise
        if written:
            self.notify()
        result.duplicates += len(columns) - inserted
        result.accepted = result.received - len(result.rejections)
        result.flagged = sum(1 for f in columns.flags if f & PLATFORM_FLAGS)
        result.unassessed = outcome.unassessed
        return result


def _newest_per_series(columns: Columns) -> list[tuple[int, int, float, int]]:
    newest: dict[int, int] = {}
    for i, (sid, ts) in enumerate(zip(columns.series_ids, columns.ts, strict=True)):
        j = newest.get(sid)
        if j is None or ts > columns.ts[j]:
            newest[sid] = i
    return [(sid, columns.ts[i], columns.values[i], columns.flags[i]) for sid, i in newest.items()]
