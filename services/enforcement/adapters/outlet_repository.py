"""The outlets read model for source tracing (fed by permits' and monitoring's events)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.enforcement.adapters.tables import outlets
from services.enforcement.domain.tracing import OutletSite
from services.enforcement.domain.values import GeoPoint
from shared.db import insert_if_absent


def _ensure(conn: Connection, outlet_id: str, uscc: str) -> None:
    insert_if_absent(
        conn, outlets, key=("outlet_id",), values=dict(outlet_id=outlet_id, uscc=uscc, permitted=[])
    )


def outlet_added(
    conn: Connection, *, outlet_id: str, uscc: str, kind: str, river: str, location: GeoPoint
) -> None:
    """An outlet was added (permits' OutletAdded)."""
    _ensure(conn, outlet_id, uscc)
    conn.execute(
        outlets.update()
        .where(outlets.c.outlet_id == outlet_id)
        .values(uscc=uscc, kind=kind, river=river, lat=location.lat, lon=location.lon)
    )


def permitted(conn: Connection, *, outlet_id: str, uscc: str, parameters: list[str]) -> None:
    """The parameters a permit in force limits at the outlet (permits' PermitIssued / Renewed)."""
    _ensure(conn, outlet_id, uscc)
    conn.execute(
        outlets.update().where(outlets.c.outlet_id == outlet_id).values(permitted=sorted(set(parameters)))
    )


def monitored_by(conn: Connection, *, outlet_id: str, uscc: str, station_id: str) -> None:
    """The online monitor on the outlet (monitoring's StationRegistered)."""
    _ensure(conn, outlet_id, uscc)
    conn.execute(outlets.update().where(outlets.c.outlet_id == outlet_id).values(station_id=station_id))


def on_river(conn: Connection, river: str) -> list[OutletSite]:
    """Wastewater outlets discharging into a river, with a known position."""
    rows = conn.execute(sa.select(outlets).where(outlets.c.river == river, outlets.c.lat.is_not(None)))
    return [
        OutletSite(r.outlet_id, r.uscc, r.river, GeoPoint(r.lat, r.lon), frozenset(r.permitted), r.station_id)
        for r in rows
    ]
