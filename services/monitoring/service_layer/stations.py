"""Registering and reading stations."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from eco.v1 import monitoring_pb2
from services.monitoring.adapters import repository
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.stations import ElectricityMonitor, Equipment, Station, validate_new
from services.monitoring.service_layer import messages, recording
from services.monitoring.service_layer.catalog import Catalog
from shared import events, outbox
from shared.clock import Clock
from shared.errors import AlreadyExists, InvalidArgument, NotFound
from shared.grpc.auth import current_department


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


def register(
    engine: Engine, catalog: Catalog, clock: Clock, *, station_in: Station, notify: Callable[[], None]
) -> tuple[Station, bool]:
    """Register a station; the identical station registered again is returned unchanged (False)."""
    station = validate_new(station_in)
    try:
        with engine.begin() as conn:
            existing = repository.get(conn, station_id=station.station_id)
            if existing is not None:
                if existing.station == station:
                    return existing.station, False
                raise AlreadyExists("station", station.station_id)
            details = station.details
            if isinstance(details, ElectricityMonitor) and details.equipment == Equipment.PRODUCTION_LINE:
                _check_link(repository.get(conn, station_id=details.linked_station_id), details)
            stored = repository.create_station(
                conn, station_in=station, registered_by=current_department() or "-", now=clock.now()
            )
            payload = monitoring_pb2.StationRegistered(station=messages.station_message(stored.station))
            envelope = events.make_envelope(
                source=recording.SOURCE, subject_id=station.station_id, payload=payload
            )
            outbox.add_event(conn, recording.TOPIC, envelope)
    except IntegrityError:
        # Registered by a concurrent call between our check and our insert.
        raise AlreadyExists("station", station.station_id) from None
    catalog.add(stored)
    notify()
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
