"""Building blocks for enforcement's use-case tests: a grid pair, an alarm, the outbox's events."""

from __future__ import annotations

import sqlalchemy as sa

from services.enforcement.domain.evidence import Kind
from services.enforcement.domain.grids import grid
from services.enforcement.domain.problem import ProblemIn, Severity, Source
from services.enforcement.domain.values import Actor, GeoPoint
from services.enforcement.service_layer import grids
from services.enforcement.service_layer.evidence import EvidenceIn
from services.enforcement.service_layer.unit_of_work import Deps
from shared.schema import outbox
from tests.unit.enforcement.factories import NOW, USCC

WEST_POINT = GeoPoint(30.15, 121.25)
EAST_POINT = GeoPoint(30.15, 121.35)


def square(lon0: float, lat0: float, lon1: float, lat1: float) -> list[GeoPoint]:
    """A rectangle's corners."""
    return [GeoPoint(lat0, lon0), GeoPoint(lat0, lon1), GeoPoint(lat1, lon1), GeoPoint(lat1, lon0)]


def city_with_two_towns(deps: Deps) -> None:
    """The city grid with a western (浒山) and an eastern (白沙路) town grid sharing 121.3° E."""
    grids.create_grid(
        deps,
        grid(
            grid_id="city",
            name="慈溪",
            town="",
            parent_grid_id="",
            level=1,
            points=square(121.0, 30.0, 121.55, 30.4),
        ),
    )
    grids.create_grid(
        deps,
        grid(
            grid_id="west",
            name="浒山",
            town="浒山",
            parent_grid_id="city",
            level=2,
            points=square(121.2, 30.1, 121.3, 30.2),
        ),
    )
    grids.create_grid(
        deps,
        grid(
            grid_id="east",
            name="白沙路",
            town="白沙路",
            parent_grid_id="city",
            level=2,
            points=square(121.3, 30.1, 121.4, 30.2),
        ),
    )


def alarm(
    ref: str,
    *,
    station: str = "W002",
    parameter: str = "NH3N",
    where: GeoPoint | None = WEST_POINT,
) -> ProblemIn:
    """An exceedance alarm as the consumer builds it."""
    return ProblemIn(
        source=Source.EXCEEDANCE,
        source_ref=ref,
        title=f"{station} {parameter} 超标",
        description="",
        category="water",
        uscc="",
        station_id=station,
        parameter=parameter,
        location=where,
        town="",
        grid_id="",
        severity=Severity.HIGH,
        occurred_at=NOW,
        actor=Actor("monitoring", "", "ExceedanceDetected"),
    )


def manual(ref: str = "", *, uscc: str = USCC, where: GeoPoint | None = EAST_POINT) -> ProblemIn:
    """A problem an officer enters."""
    return ProblemIn(
        source=Source.MANUAL,
        source_ref=ref,
        title="异味投诉核实",
        description="",
        category="air",
        uscc=uscc,
        station_id="",
        parameter="",
        location=where,
        town="",
        grid_id="",
        severity=Severity.MEDIUM,
        occurred_at=NOW,
        actor=Actor("bureau", "officer", ""),
    )


def readings(ref: str, body: bytes = b'{"readings":[1.9,2.0]}') -> EvidenceIn:
    """Readings quoted as evidence."""
    return EvidenceIn(
        Kind.READING, "readings", "application/json", body, "", "", 0, ref, NOW, Actor("monitoring"), None
    )


def events(deps: Deps) -> list[str]:
    """The event types in the outbox, in order."""
    with deps.engine.connect() as conn:
        return list(conn.execute(sa.select(outbox.c.event_type).order_by(outbox.c.id)).scalars())
