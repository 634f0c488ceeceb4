"""The time series: one set-based insert per batch, the latest-reading table, and aggregates.

The insert is the hot path of ingestion. On PostgreSQL the batch travels as four arrays in one
statement (`INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING`): one round trip, no
per-row statement, duplicates dropped by the primary key. The arrays go in binary, packed in one
call each (adapters/pg_arrays.py) rather than formatted as 2,000 numbers of text.
SQLite uses INSERT OR IGNORE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.monitoring.adapters import pg_arrays
from services.monitoring.adapters.pg_arrays import Float8Array, Int4Array, Int8Array
from services.monitoring.adapters.tables import latest, readings
from services.monitoring.domain.records import ReadingColumns
from shared import exact
from shared.db import is_postgres

_PG_INSERT = (
    "INSERT INTO readings (series_id, ts, value, flags) "
    "SELECT * FROM unnest(%b::int4[], %b::int8[], %b::float8[], %b::int4[]) "
    "ON CONFLICT DO NOTHING"
)
_SQLITE_INSERT = "INSERT OR IGNORE INTO readings (series_id, ts, value, flags) VALUES (?, ?, ?, ?)"
_UPSERT_TAIL = (
    " ON CONFLICT (series_id) DO UPDATE SET ts = excluded.ts, value = excluded.value, flags = excluded.flags"
    " WHERE latest_readings.ts < excluded.ts"
)
_PG_LATEST = (
    "INSERT INTO latest_readings (series_id, ts, value, flags) "
    "SELECT * FROM unnest(%b::int4[], %b::int8[], %b::float8[], %b::int4[])" + _UPSERT_TAIL
)
_SQLITE_LATEST = (
    "INSERT INTO latest_readings (series_id, ts, value, flags) VALUES (?, ?, ?, ?)" + _UPSERT_TAIL
)


def insert(conn: Connection, columns: ReadingColumns) -> int:
    """Store readings not stored yet; returns how many were new (the rest were duplicates)."""
    if not columns.ts:
        return 0
    if is_postgres(conn):
        pg_arrays.register(conn.connection.driver_connection)  # type: ignore[arg-type]
        args = (
            Int4Array(columns.series_ids),
            Int8Array(columns.ts),
            Float8Array(columns.values),
            Int4Array(columns.flags),
        )
        return int(conn.exec_driver_sql(_PG_INSERT, args).rowcount)
    rows = list(zip(columns.series_ids, columns.ts, columns.values, columns.flags, strict=True))
    return int(conn.exec_driver_sql(_SQLITE_INSERT, rows).rowcount)


def upsert_latest(conn: Connection, rows: Sequence[tuple[int, int, float, int]]) -> None:
    """Move each series' latest reading forward (never back: a late reading leaves it alone)."""
    if not rows:
        return
    if is_postgres(conn):
        pg_arrays.register(conn.connection.driver_connection)  # type: ignore[arg-type]
        sids, times, values, flags = (list(c) for c in zip(*rows, strict=True))
        args = (Int4Array(sids), Int8Array(times), Float8Array(values), Int4Array(flags))
        conn.exec_driver_sql(_PG_LATEST, args)
    else:
        conn.exec_driver_sql(_SQLITE_LATEST, list(rows))


def add_flags(conn: Connection, marks: Sequence[tuple[int, int, int]]) -> None:
    """OR flags into stored readings: (series id, time, flags), e.g. a flat line found late."""
    if not marks:
        return
    stmt = (
        sa.update(readings)
        .where(readings.c.series_id == sa.bindparam("sid"))
        .where(readings.c.ts == sa.bindparam("t"))
        .values(flags=readings.c.flags.op("|")(sa.bindparam("f")))
    )
    conn.execute(stmt, [{"sid": s, "t": t, "f": f} for s, t, f in marks])


def existing(conn: Connection, keys: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of these (series id, time) readings are stored already."""
    if not keys:
        return set()
    query = sa.select(readings.c.series_id, readings.c.ts).where(
        sa.tuple_(readings.c.series_id, readings.c.ts).in_(list(keys))
    )
    return {(int(r.series_id), int(r.ts)) for r in conn.execute(query)}


def last_readings(conn: Connection, *, series_id: int, count: int) -> list[tuple[int, float, int]]:
    """The newest readings of a series, oldest first: (time, value, flags)."""
    query = (
        sa.select(readings.c.ts, readings.c.value, readings.c.flags)
        .where(readings.c.series_id == series_id)
        .order_by(readings.c.ts.desc())
        .limit(count)
    )
    return [(int(r.ts), float(r.value), int(r.flags)) for r in reversed(conn.execute(query).all())]


_LAST_READINGS_OF_SERIES = """
    SELECT s.id, r.ts, r.value, r.flags
    FROM unnest(%s::int4[]) AS s(id)
    CROSS JOIN LATERAL (
        SELECT ts, value, flags FROM readings WHERE series_id = s.id ORDER BY ts DESC LIMIT %s
    ) AS r
"""


def last_readings_of(
    conn: Connection, *, series_ids: Sequence[int], count: int
) -> dict[int, list[tuple[int, float, int]]]:
    """The newest readings of each series, oldest first: series id -> [(time, value, flags)].

    One round trip on PostgreSQL (an index walk per series); series without readings are absent."""
    if not is_postgres(conn):  # embedded: a query per series costs no round trip
        found = {sid: last_readings(conn, series_id=sid, count=count) for sid in series_ids}
        return {sid: rows for sid, rows in found.items() if rows}
    newest_first: dict[int, list[tuple[int, float, int]]] = {}
    for sid, ts, value, flags in conn.exec_driver_sql(_LAST_READINGS_OF_SERIES, (list(series_ids), count)):
        newest_first.setdefault(int(sid), []).append((int(ts), float(value), int(flags)))
    return {sid: rows[::-1] for sid, rows in newest_first.items()}


def between(conn: Connection, *, series_id: int, start: int, end: int) -> list[tuple[int, float, int]]:
    """Readings of a series with start <= time < end, in time order."""
    query = (
        sa.select(readings.c.ts, readings.c.value, readings.c.flags)
        .where(readings.c.series_id == series_id, readings.c.ts >= start, readings.c.ts < end)
        .order_by(readings.c.ts)
    )
    return [(int(r.ts), float(r.value), int(r.flags)) for r in conn.execute(query)]


@dataclass(frozen=True)
class Bucket:
    """Aggregates of one bucket: unflagged mean/min/max/count, and the flagged count."""

    start: int
    mean: float | None
    low: float | None
    high: float | None
    received: int
    flagged: int


def buckets(
    conn: Connection, *, series_id: int, start: int, end: int, size_ms: int, offset_ms: int
) -> list[Bucket]:
    """Aggregate a series into buckets of size_ms aligned at offset_ms (e.g. local midnight)."""
    # Integer floor division on both backends (times are positive).
    key = (readings.c.ts + offset_ms) // size_ms
    good = readings.c.flags == 0
    value_if_good = sa.case((good, readings.c.value), else_=None)
    query = (
        sa.select(
            key.label("k"),
            sa.func.avg(value_if_good).label("mean"),
            sa.func.min(value_if_good).label("low"),
            sa.func.max(value_if_good).label("high"),
            sa.func.count(value_if_good).label("received"),
            sa.func.sum(sa.case((good, 0), else_=1)).label("flagged"),
        )
        .where(readings.c.series_id == series_id, readings.c.ts >= start, readings.c.ts < end)
        .group_by(key)
        .order_by(key)
    )
    result = []
    for r in conn.execute(query):
        result.append(
            Bucket(
                start=int(r.k) * size_ms - offset_ms,
                mean=None if r.mean is None else float(r.mean),
                low=None if r.low is None else float(r.low),
                high=None if r.high is None else float(r.high),
                received=int(r.received),
                flagged=int(r.flagged or 0),
            )
        )
    return result


def series_with_valid_readings(conn: Connection, *, series_ids: Sequence[int], since: int) -> set[int]:
    """Which of these series have at least one unflagged reading at or after `since`."""
    if not series_ids:
        return set()
    query = (
        sa.select(readings.c.series_id)
        .where(readings.c.series_id.in_(list(series_ids)), readings.c.ts >= since, readings.c.flags == 0)
        .distinct()
    )
    return {int(s) for s in conn.execute(query).scalars()}


def latest_of(conn: Connection, *, series_ids: Sequence[int]) -> dict[int, tuple[int, float, int]]:
    """The latest reading of each series that has one: series id -> (time, value, flags)."""
    if not series_ids:
        return {}
    query = sa.select(latest).where(latest.c.series_id.in_(list(series_ids)))
    return {int(r.series_id): (int(r.ts), float(r.value), int(r.flags)) for r in conn.execute(query)}


@dataclass(frozen=True)
class ExactBucket:
    """Unflagged readings of one bucket: how many, and their exact decimal sum."""

    start: int
    count: int
    total: Decimal


_PG_EXACT = """
    SELECT (ts + %(offset)s) / %(size)s AS k, count(*) AS n, sum(value::numeric) AS total
    FROM readings
    WHERE series_id = %(sid)s AND ts >= %(start)s AND ts < %(end)s AND flags = 0
    GROUP BY k ORDER BY k
"""


def exact_buckets(
    conn: Connection, *, series_id: int, start: int, end: int, size_ms: int, offset_ms: int
) -> list[ExactBucket]:
    """Count and exact sum of the unflagged readings per bucket (size_ms aligned at offset_ms).

    Each double is read to 15 significant digits (shared/exact.py): on PostgreSQL by its
    float8 -> numeric cast, which does exactly that; on SQLite in Python the same way.
    """
    if is_postgres(conn):
        params = {"offset": offset_ms, "size": size_ms, "sid": series_id, "start": start, "end": end}
        return [
            ExactBucket(int(k) * size_ms - offset_ms, int(n), Decimal(total))
            for k, n, total in conn.exec_driver_sql(_PG_EXACT, params)
        ]
    found: dict[int, tuple[int, Decimal]] = {}
    for ts, value, flags in between(conn, series_id=series_id, start=start, end=end):
        if flags:
            continue
        key = (ts + offset_ms) // size_ms
        n, total = found.get(key, (0, Decimal(0)))
        found[key] = (n + 1, total + Decimal(format(value, f".{exact.SIGNIFICANT_DIGITS}g")))
    return [ExactBucket(k * size_ms - offset_ms, n, t) for k, (n, t) in sorted(found.items())]
