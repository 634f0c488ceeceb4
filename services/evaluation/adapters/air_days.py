"""The daily_aqi read model: one row per air station and day, the figure that stands."""

from __future__ import annotations

import json
from datetime import UTC, date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.evaluation.adapters.tables import daily_aqi
from services.evaluation.domain.air_days import AirDay
from shared.db import upsert_insert


def save(conn: Connection, *, air_day_in: AirDay) -> None:
    """Store a figure unless the row holds one that supersedes it (a higher revision, or the same
    revision from a larger event id): the same rows whatever the order events arrive in."""
    d = air_day_in
    values = {
        "station_id": d.station_id,
        "day": d.day,
        "town": d.town,
        "valid": d.valid,
        "aqi": d.aqi,
        "level": d.level,
        "primary_pollutants": ",".join(d.primary_pollutants),
        # Sorted keys: the same figure always stores the same text (a rebuild compares equal).
        "concentrations": json.dumps(d.concentrations, sort_keys=True),
        "revision": d.revision,
        "event_id": d.event_id,
        "at": d.at,
    }
    insert = upsert_insert(conn, daily_aqi).values(**values)
    newer = sa.or_(
        daily_aqi.c.revision < insert.excluded.revision,
        sa.and_(
            daily_aqi.c.revision == insert.excluded.revision, daily_aqi.c.event_id < insert.excluded.event_id
        ),
    )
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[daily_aqi.c.station_id, daily_aqi.c.day],
            set_={k: insert.excluded[k] for k in values if k not in ("station_id", "day")},
            where=newer,
        )
    )


def _air_day(row: Any) -> AirDay:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return AirDay(
        station_id=row.station_id,
        day=row.day,
        town=row.town,
        valid=row.valid,
        aqi=row.aqi,
        level=row.level,
        primary_pollutants=tuple(p for p in row.primary_pollutants.split(",") if p),
        revision=row.revision,
        event_id=row.event_id,
        at=at,
        concentrations={k: float(v) for k, v in json.loads(row.concentrations or "{}").items()},
    )


def get_all(conn: Connection, *, start: date | None = None, end: date | None = None) -> list[AirDay]:
    """The standing figures of the days in [start, end] (every day when unbounded), by day and station."""
    query = sa.select(daily_aqi).order_by(daily_aqi.c.day, daily_aqi.c.station_id)
    if start is not None:
        query = query.where(daily_aqi.c.day >= start)
    if end is not None:
        query = query.where(daily_aqi.c.day <= end)
    return [_air_day(r) for r in conn.execute(query)]
