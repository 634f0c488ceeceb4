"""Ingesting a batch of readings: validate each, judge them, store them and what they raised, in one
transaction, before the caller is answered.

The batch arrives as parallel columns (the servicer unpacks the protobuf once) and is written with
one set-based insert; per reading there is only list work and the rules' dict lookups.

Rule state lives in this process. Should two replicas judge one station anyway, the batch
transaction holds a PostgreSQL advisory lock per station so they take turns, and a batch whose
alarm rows collide with the other's (the unique "one open per series" indexes) is judged again once
on state re-read from the database instead of failing.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from services.monitoring.adapters import readings as readings_repo
from services.monitoring.adapters.locks import lock_across_replicas
from services.monitoring.domain.quality import DEVICE_FLAGS, PLATFORM_FLAGS
from services.monitoring.domain.records import Alarm, ReadingColumns
from services.monitoring.domain.stations import ElectricityMonitor
from services.monitoring.service_layer import recording, restore
from services.monitoring.service_layer.catalog import SeriesInfo
from services.monitoring.service_layer.evaluator import Evaluator
from services.monitoring.service_layer.outcome import LATE, Outcome
from shared.unit_of_work import Deps, transaction

log = logging.getLogger(__name__)

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
    alarms: list[Alarm] = field(default_factory=list)
    unassessed: Counter[tuple[str, str, str]] = field(default_factory=Counter)


class Ingestor:
    """Turns batches into stored readings, alarms and events."""

    def __init__(self, deps: Deps, evaluator: Evaluator, future_tolerance_ms: int) -> None:
        self.deps = deps
        self.engine = deps.engine
        self.evaluator = evaluator
        self.catalog = evaluator.catalog
        self.clock = deps.clock
        self.future_tolerance_ms = future_tolerance_ms

    def _validate(self, raw: RawBatch, result: BatchResult) -> tuple[ReadingColumns, list[SeriesInfo]]:
        now_ms = int(self.clock.now().timestamp() * 1000)
        latest_ok = now_ms + self.future_tolerance_ms
        lookup = self.catalog.series
        columns = ReadingColumns([], [], [], [])
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
        device_flags = list(columns.flags)
        with self.evaluator.locks.hold(locked):
            try:
                outcome, inserted = self._store(columns, infos, lines, locked, result)
            except IntegrityError as exc:
                # Another replica wrote this station's alarms after our state was loaded: judge the
                # batch again on state re-read from the database (it committed before our lock).
                log.warning("batch collided with another writer's alarms; judging it again: %s", exc.orig)
                self.evaluator.forget(set(columns.series_ids), lines)
                columns.flags[:] = device_flags
                outcome, inserted = self._store(columns, infos, lines, locked, result)
        result.duplicates += len(columns) - inserted
        result.accepted = result.received - len(result.rejections)
        result.flagged = sum(1 for f in columns.flags if f & PLATFORM_FLAGS)
        result.unassessed = outcome.unassessed
        return result

    def _store(
        self,
        columns: ReadingColumns,
        infos: list[SeriesInfo],
        lines: set[str],
        locked: set[str],
        result: BatchResult,
    ) -> tuple[Outcome, int]:
        """Judge and write the batch in one unit of work (the relay is woken if it raised events);
        returns the outcome and how many readings were new."""
        series_ids = set(columns.series_ids)
        try:
            with transaction(self.deps) as tx:
                conn = tx.conn
                lock_across_replicas(conn, locked)
                restore.ensure_series(self.evaluator, conn, series_ids)
                pending = restore.ensure_detectors(self.evaluator, conn, lines)
                outcome = self.evaluator.evaluate(columns, infos)
                outcome.idle[:0] = pending
                if outcome.late:
                    _count_late(conn, columns, infos, outcome)
                inserted = readings_repo.insert(conn, columns)
                readings_repo.upsert_latest(conn, _newest_per_series(columns))
                readings_repo.add_flags(conn, outcome.retro_flags)
                result.alarms = recording.record(tx, outcome)
        except Exception:
            self.evaluator.forget(series_ids, lines)
            raise
        return outcome, inserted


def _count_late(conn: Connection, columns: ReadingColumns, infos: list[SeriesInfo], outcome: Outcome) -> None:
    """List the late readings as unassessed, leaving out those already stored (resent duplicates).

    One query per batch that has any, never one per reading; a batch in time order has none.
    """
    keys = [(columns.series_ids[i], columns.ts[i]) for i in outcome.late]
    stored = readings_repo.existing(conn, keys)
    for i, key in zip(outcome.late, keys, strict=True):
        if key not in stored:
            info = infos[i]
            outcome.unassessed[(info.station.station_id, info.parameter.code, LATE)] += 1


def _newest_per_series(columns: ReadingColumns) -> list[tuple[int, int, float, int]]:
    newest: dict[int, int] = {}
    for i, (sid, ts) in enumerate(zip(columns.series_ids, columns.ts, strict=True)):
        j = newest.get(sid)
        if j is None or ts > columns.ts[j]:
            newest[sid] = i
    return [(sid, columns.ts[i], columns.values[i], columns.flags[i]) for sid, i in newest.items()]
