"""Exceedances, device faults and treatment-idle alarms: the records behind the events."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.monitoring.adapters.tables import exceedances, faults, idle_alarms
from services.monitoring.domain.records import ExceedanceRecord, FaultRecord


def create_exceedance(conn: Connection, *, exceedance_in: ExceedanceRecord) -> None:
    """Record a newly opened exceedance."""
    conn.execute(exceedances.insert().values(**exceedance_in.__dict__))


def clear_exceedance(conn: Connection, *, row: ExceedanceRecord) -> bool:
    """Close an open exceedance with its end, final peak and quoted limit (and reason, if withdrawn);
    False if it was closed already (e.g. by the permit consumer a moment before), so nothing is told twice."""
    result = conn.execute(
        exceedances.update()
        .where(exceedances.c.exceedance_id == row.exceedance_id, exceedances.c.cleared_ts.is_(None))
        .values(
            cleared_ts=row.cleared_ts,
            max_value=row.max_value,
            max_multiple=row.max_multiple,
            limit_value=row.limit_value,
            cleared_reason=row.cleared_reason,
        )
    )
    return bool(result.rowcount)


def update_peaks(conn: Connection, peaks: Sequence[tuple[str, float, float, float]]) -> None:
    """Move the recorded peak of open exceedances: (id, max value, max multiple, limit quoted)."""
    if not peaks:
        return
    stmt = (
        exceedances.update()
        .where(exceedances.c.exceedance_id == sa.bindparam("eid"))
        .values(max_value=sa.bindparam("mv"), max_multiple=sa.bindparam("mm"), limit_value=sa.bindparam("lv"))
    )
    conn.execute(stmt, [{"eid": e, "mv": v, "mm": m, "lv": lv} for e, v, m, lv in peaks])


def get_open_exceedances_of_outlets(
    conn: Connection, *, outlet_ids: Sequence[str], limit_basis: str
) -> list[ExceedanceRecord]:
    """Open exceedances of these outlets held to one limit basis (e.g. "permit <number>")."""
    if not outlet_ids:
        return []
    query = sa.select(exceedances).where(
        exceedances.c.outlet_id.in_(list(outlet_ids)),
        exceedances.c.limit_basis == limit_basis,
        exceedances.c.cleared_ts.is_(None),
    )
    return [ExceedanceRecord(**r._mapping) for r in conn.execute(query.order_by(exceedances.c.opened_ts))]


def get_open_exceedances_of(conn: Connection, *, series_ids: Sequence[int]) -> dict[int, ExceedanceRecord]:
    """The open exceedance of each of these series that has one (at most one per series)."""
    query = sa.select(exceedances).where(
        exceedances.c.series_id.in_(list(series_ids)), exceedances.c.cleared_ts.is_(None)
    )
    return {int(r.series_id): ExceedanceRecord(**r._mapping) for r in conn.execute(query)}


def _after(
    opened_ts: sa.ColumnElement[int], key: sa.ColumnElement[str], after: tuple[int, str] | None
) -> sa.ColumnElement[bool]:
    """Keyset condition: rows after (opened_ts, id) in newest-first order."""
    if after is None:
        return sa.true()
    ts, ident = after
    return sa.or_(opened_ts < ts, sa.and_(opened_ts == ts, key > ident))


def _newest_first(
    conn: Connection,
    table: sa.Table,
    key: sa.Column,
    *,
    station_id: str,
    open_only: bool,
    after: tuple[int, str] | None,
    limit: int,
) -> list[sa.Row]:
    """Alarms of one table, newest first, after the (opened_ts, id) of the previous page's last."""
    c = table.c
    query = sa.select(table).where(_after(c.opened_ts, key, after))
    if station_id:
        query = query.where(c.station_id == station_id)
    if open_only:
        query = query.where(c.cleared_ts.is_(None))
    return list(conn.execute(query.order_by(c.opened_ts.desc(), key).limit(limit)))


def get_all_exceedances(
    conn: Connection,
    *,
    station_id: str = "",
    open_only: bool = False,
    after: tuple[int, str] | None = None,
    limit: int = 100,
) -> list[ExceedanceRecord]:
    """Exceedances, newest first, after the (opened_ts, id) of the last one of the previous page."""
    rows = _newest_first(
        conn,
        exceedances,
        exceedances.c.exceedance_id,
        station_id=station_id,
        open_only=open_only,
        after=after,
        limit=limit,
    )
    return [ExceedanceRecord(**r._mapping) for r in rows]


def create_fault(conn: Connection, *, fault_in: FaultRecord) -> None:
    """Record a device fault (a gap found late is stored opened and cleared)."""
    conn.execute(faults.insert().values(**fault_in.__dict__))


def clear_fault(conn: Connection, *, series_id: int, kind: int, cleared_ts: int) -> str | None:
    """Close the open fault of this kind on a series; returns its id."""
    row = conn.execute(
        sa.select(faults.c.fault_id).where(
            faults.c.series_id == series_id, faults.c.kind == kind, faults.c.cleared_ts.is_(None)
        )
    ).first()
    if row is None:
        return None
    conn.execute(faults.update().where(faults.c.fault_id == row.fault_id).values(cleared_ts=cleared_ts))
    return str(row.fault_id)


def open_fault_kinds_of(conn: Connection, *, series_ids: Sequence[int]) -> dict[int, set[int]]:
    """Kinds of the faults open on each of these series that has any."""
    query = sa.select(faults.c.series_id, faults.c.kind).where(
        faults.c.series_id.in_(list(series_ids)), faults.c.cleared_ts.is_(None)
    )
    kinds: dict[int, set[int]] = {}
    for series_id, kind in conn.execute(query):
        kinds.setdefault(int(series_id), set()).add(int(kind))
    return kinds


def get_all_faults(
    conn: Connection,
    *,
    station_id: str = "",
    open_only: bool = False,
    after: tuple[int, str] | None = None,
    limit: int = 100,
) -> list[FaultRecord]:
    """Device faults, newest first, after the (opened_ts, id) of the last one of the previous page."""
    rows = _newest_first(
        conn, faults, faults.c.fault_id, station_id=station_id, open_only=open_only, after=after, limit=limit
    )
    return [FaultRecord(**r._mapping) for r in rows]


def count_open(conn: Connection, *, station_ids: Sequence[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Open exceedances and open faults per station."""
    if not station_ids:
        return {}, {}
    result = []
    for table in (exceedances, faults):
        query = (
            sa.select(table.c.station_id, sa.func.count())
            .where(table.c.station_id.in_(list(station_ids)), table.c.cleared_ts.is_(None))
            .group_by(table.c.station_id)
        )
        result.append({str(s): int(n) for s, n in conn.execute(query)})
    return result[0], result[1]


def open_exceedance_series(conn: Connection, *, series_ids: Sequence[int]) -> set[int]:
    """Which of these series have an open exceedance."""
    if not series_ids:
        return set()
    query = sa.select(exceedances.c.series_id).where(
        exceedances.c.series_id.in_(list(series_ids)), exceedances.c.cleared_ts.is_(None)
    )
    return {int(s) for s in conn.execute(query).scalars()}


def create_idle_alarm(
    conn: Connection,
    *,
    alarm_id: str,
    uscc: str,
    production: str,
    treatment: str,
    started_ts: int,
    detected_ts: int,
) -> None:
    """Record a treatment-idle alarm."""
    conn.execute(
        idle_alarms.insert().values(
            alarm_id=alarm_id,
            uscc=uscc,
            production_station_id=production,
            treatment_station_id=treatment,
            started_ts=started_ts,
            detected_ts=detected_ts,
        )
    )


def idle_alarm_exists(conn: Connection, *, production: str, started_ts: int) -> bool:
    """Whether the alarm for this period was already raised (used when rebuilding state)."""
    query = sa.select(idle_alarms.c.alarm_id).where(
        idle_alarms.c.production_station_id == production, idle_alarms.c.started_ts == started_ts
    )
    return conn.execute(query).first() is not None


def latest_idle_alarm_start(conn: Connection, *, production: str) -> int | None:
    """When the newest recorded idle period of a production line started."""
    query = sa.select(sa.func.max(idle_alarms.c.started_ts)).where(
        idle_alarms.c.production_station_id == production
    )
    value = conn.execute(query).scalar()
    return None if value is None else int(value)
