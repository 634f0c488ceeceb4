"""Stations, their series and outlet limits: rows in, domain objects out."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.monitoring.adapters.tables import outlet_limits, series, stations
from services.monitoring.domain import gb3838
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.records import OutletLimitRecord
from services.monitoring.domain.stations import (
    Details,
    ElectricityMonitor,
    Equipment,
    Parameter,
    SourceMonitor,
    Station,
    WaterSection,
)


def _details_json(details: Details) -> str:
    if isinstance(details, WaterSection):
        data: dict[str, Any] = {
            "river": details.river,
            "position_km": details.position_km,
            "target_class": int(details.target_class),
            "water_body": int(details.water_body),
            "county_level_or_above": details.county_level_or_above,
        }
    elif isinstance(details, SourceMonitor):
        data = {"uscc": details.uscc, "outlet_id": details.outlet_id}
    elif isinstance(details, ElectricityMonitor):
        data = {
            "uscc": details.uscc,
            "equipment": int(details.equipment),
            "equipment_id": details.equipment_id,
            "threshold_kw": details.threshold_kw,
            "linked_station_id": details.linked_station_id,
            "idle_minutes": details.idle_minutes,
        }
    else:
        data = {}
    return json.dumps(data, ensure_ascii=False)


def _details(station_type: StationType, raw: str) -> Details:
    data = json.loads(raw)
    if station_type == StationType.WATER_SECTION:
        return WaterSection(
            river=data["river"],
            position_km=data["position_km"],
            target_class=gb3838.WaterClass(data["target_class"]),
            water_body=gb3838.WaterBody(data["water_body"]),
            county_level_or_above=data["county_level_or_above"],
        )
    if station_type == StationType.POLLUTION_SOURCE:
        return SourceMonitor(uscc=data["uscc"], outlet_id=data["outlet_id"])
    if station_type == StationType.ELECTRICITY:
        return ElectricityMonitor(
            uscc=data["uscc"],
            equipment=Equipment(data["equipment"]),
            equipment_id=data["equipment_id"],
            threshold_kw=data["threshold_kw"],
            linked_station_id=data["linked_station_id"],
            idle_minutes=data["idle_minutes"],
        )
    return None


@dataclass(frozen=True)
class StoredStation:
    """A station with the series id of each of its parameters."""

    station: Station
    series_ids: dict[str, int]


def create_station(
    conn: Connection, *, station_in: Station, registered_by: str, now: datetime
) -> StoredStation:
    """Insert a station and one series per parameter."""
    conn.execute(
        stations.insert().values(
            station_id=station_in.station_id,
            name=station_in.name,
            type=int(station_in.type),
            lat=station_in.lat,
            lon=station_in.lon,
            town=station_in.town,
            details=_details_json(station_in.details),
            registered_at=now,
            registered_by=registered_by,
        )
    )
    ids: dict[str, int] = {}
    for p in station_in.parameters:
        result = conn.execute(
            series.insert().values(
                station_id=station_in.station_id,
                parameter=p.code,
                unit=p.unit,
                interval_seconds=p.interval_seconds,
                alarm_limit=p.alarm_limit,
            )
        )
        assert result.inserted_primary_key is not None
        ids[p.code] = int(result.inserted_primary_key[0])
    stored = dataclasses.replace(station_in, registered_at=now)
    return StoredStation(stored, ids)


def _stations_with_series(conn: Connection, rows: list[Any]) -> list[StoredStation]:
    if not rows:
        return []
    by_station: dict[str, list[Any]] = {}
    query = (
        sa.select(series)
        .where(series.c.station_id.in_([r.station_id for r in rows]))
        .order_by(series.c.series_id)
    )
    for s in conn.execute(query):
        by_station.setdefault(s.station_id, []).append(s)
    result = []
    for r in rows:
        station_type = StationType(r.type)
        params = by_station.get(r.station_id, [])
        station = Station(
            station_id=r.station_id,
            name=r.name,
            type=station_type,
            lat=r.lat,
            lon=r.lon,
            town=r.town,
            parameters=tuple(
                Parameter(s.parameter, s.unit, s.interval_seconds, s.alarm_limit) for s in params
            ),
            details=_details(station_type, r.details),
            registered_at=r.registered_at,
        )
        result.append(StoredStation(station, {s.parameter: int(s.series_id) for s in params}))
    return result


def get(conn: Connection, *, station_id: str) -> StoredStation | None:
    """One station with its series, or None."""
    rows = conn.execute(sa.select(stations).where(stations.c.station_id == station_id)).all()
    found = _stations_with_series(conn, list(rows))
    return found[0] if found else None


def get_all(
    conn: Connection,
    *,
    station_type: StationType | None = None,
    town: str = "",
    after: str = "",
    limit: int | None = None,
    station_ids: list[str] | None = None,
) -> list[StoredStation]:
    """Stations in id order, filtered; `after` and `limit` page through them."""
    query = sa.select(stations).order_by(stations.c.station_id)
    if station_type is not None:
        query = query.where(stations.c.type == int(station_type))
    if town:
        query = query.where(stations.c.town == town)
    if after:
        query = query.where(stations.c.station_id > after)
    if station_ids:
        query = query.where(stations.c.station_id.in_(station_ids))
    if limit is not None:
        query = query.limit(limit)
    return _stations_with_series(conn, list(conn.execute(query)))


def replace_permit_limits(conn: Connection, *, permit_number: str, rows_in: list[OutletLimitRecord]) -> None:
    """Make these the limits of the permit's outlets (a newer permit for an outlet replaces the old)."""
    conn.execute(outlet_limits.delete().where(outlet_limits.c.permit_number == permit_number))
    for row in rows_in:
        conn.execute(
            outlet_limits.delete().where(
                (outlet_limits.c.outlet_id == row.outlet_id) & (outlet_limits.c.parameter == row.parameter)
            )
        )
    if rows_in:
        conn.execute(outlet_limits.insert(), [row.__dict__ for row in rows_in])


def outlets_of_permit(conn: Connection, *, permit_number: str) -> list[str]:
    """The outlets a permit's limits in force apply to."""
    query = (
        sa.select(outlet_limits.c.outlet_id)
        .where(outlet_limits.c.permit_number == permit_number)
        .distinct()
        .order_by(outlet_limits.c.outlet_id)
    )
    return [str(o) for o in conn.execute(query).scalars()]


def delete_permit_limits(conn: Connection, *, permit_number: str) -> int:
    """End every limit of a permit (revoked, expired, suspended); returns how many ended."""
    return conn.execute(outlet_limits.delete().where(outlet_limits.c.permit_number == permit_number)).rowcount


def outlets_with_limits(conn: Connection, *, outlet_ids: list[str]) -> set[str]:
    """Which of these outlets have a permit limit on record."""
    if not outlet_ids:
        return set()
    query = sa.select(outlet_limits.c.outlet_id).where(outlet_limits.c.outlet_id.in_(outlet_ids)).distinct()
    return {str(o) for o in conn.execute(query).scalars()}


def get_all_outlet_limits(conn: Connection, *, outlet_id: str | None = None) -> list[OutletLimitRecord]:
    """Every outlet limit in force, or one outlet's."""
    query = sa.select(outlet_limits).order_by(outlet_limits.c.outlet_id, outlet_limits.c.parameter)
    if outlet_id is not None:
        query = query.where(outlet_limits.c.outlet_id == outlet_id)
    return [OutletLimitRecord(**row._mapping) for row in conn.execute(query)]
