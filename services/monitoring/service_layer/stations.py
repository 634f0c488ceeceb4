"""Registering and reading stations."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from services.monitoring.adapters import repository
from services.monitoring.domain.events import StationRegistered
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.stations import ElectricityMonitor, Equipment, Station, validate_new
from services.monitoring.service_layer.context import Context
from shared.errors import AlreadyExists, InvalidArgument, NotFound
from shared.grpc.auth import current_department
from shared.unit_of_work import transaction


def _check_link(stored: repository.StoredStation | None, line: ElectricityMonitor) -> None:
    field_name = "station.electricity.linked_station_id"
    if stored is None:
        raise InvalidArgument(
            field_name, f"no station {line.linked_station_id!r}; register the facility's monitor first"
        )
    details = stored.station.details
    if not isinstance(details, ElectricityMonitor) or details.equipment != Equipment.TREATMENT_FACILITY:
        raise InvalidArgument(field_name, "must be a treatment facility's electricity monitor")
    if details.uscc != line.uscc:
        raise InvalidArgument(field_name, "the facility belongs to another enterprise")


def register(ctx: Context, *, station_in: Station) -> tuple[Station, bool]:
    """Register a station; the identical station registered again is returned unchanged (False)."""
    station = validate_new(station_in)
    try:
        with transaction(ctx) as tx:
            existing = repository.get(tx.conn, station_id=station.station_id)
            if existing is not None:
                if existing.station == station:
                    return existing.station, False
                raise AlreadyExists("station", station.station_id)
            details = station.details
            if isinstance(details, ElectricityMonitor) and details.equipment == Equipment.PRODUCTION_LINE:
                _check_link(repository.get(tx.conn, station_id=details.linked_station_id), details)
            stored = repository.create_station(
                tx.conn, station_in=station, registered_by=current_department() or "-", now=tx.now
            )
            tx.publish(station.station_id, StationRegistered(stored.station))
    except IntegrityError:
        # Registered by a concurrent call between our check and our insert.
        raise AlreadyExists("station", station.station_id) from None
    ctx.catalog.add(stored)
    return stored.station, True


def get_or_raise(engine: Engine, *, station_id: str) -> repository.StoredStation:
    """A station with its series, or NotFound."""
    with engine.connect() as conn:
        stored = repository.get(conn, station_id=station_id)
    if stored is None:
        raise NotFound("station", station_id)
    return stored


def get_all(
    engine: Engine, *, station_type: StationType | None, town: str, after: str, limit: int
) -> list[repository.StoredStation]:
    """A page of stations in id order."""
    with engine.connect() as conn:
        return repository.get_all(conn, station_type=station_type, town=town, after=after, limit=limit)
