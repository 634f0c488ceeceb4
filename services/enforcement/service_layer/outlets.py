"""The outlets read model for tracing, kept from permits' and monitoring's events."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from services.enforcement.adapters import outlet_repository as outlet_repo
from services.enforcement.domain.values import GeoPoint


def outlet_added(
    conn: Connection, *, outlet_id: str, uscc: str, kind: str, river: str, location: GeoPoint
) -> None:
    """Permits added an outlet (only wastewater outlets into a river matter to tracing)."""
    outlet_repo.outlet_added(conn, outlet_id=outlet_id, uscc=uscc, kind=kind, river=river, location=location)


def permit_limits(conn: Connection, *, uscc: str, limits: dict[str, list[str]]) -> None:
    """A permit in force limits these parameters at these outlets (outlet id -> parameters)."""
    for outlet_id, parameters in limits.items():
        outlet_repo.permitted(conn, outlet_id=outlet_id, uscc=uscc, parameters=parameters)


def monitor_registered(conn: Connection, *, outlet_id: str, uscc: str, station_id: str) -> None:
    """Monitoring registered the online monitor of an outlet."""
    outlet_repo.monitored_by(conn, outlet_id=outlet_id, uscc=uscc, station_id=station_id)
