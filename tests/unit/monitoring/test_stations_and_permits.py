"""Registration rules, permit limits as outlet thresholds, and the electricity rule through ingestion."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, cast

import pytest

from eco.v1 import common_pb2, permits_pb2
from services.monitoring.domain.stations import Equipment, Parameter, SourceMonitor, Station
from services.monitoring.entrypoints import consumers
from shared import events
from shared.errors import AlreadyExists, InvalidArgument
from tests.unit.monitoring.support import (
    HOUR,
    START_MS,
    USCC,
    Harness,
    power_station,
    source_station,
    water_station,
)

OUTLET = f"{USCC}-DW001"


def test_registration_validates_fields_and_is_idempotent(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    station = water_station()
    assert h.register(station).station_id == "WS-1"
    assert h.register(station).station_id == "WS-1"  # identical: returned as is
    with pytest.raises(AlreadyExists):
        h.register(dataclasses.replace(station, name="another name"))
    with pytest.raises(InvalidArgument) as bad_unit:
        h.register(dataclasses.replace(water_station("WS-2"), parameters=(Parameter("NH3N", "ug/m3"),)))
    assert bad_unit.value.field == "station.parameters[0].unit"
    with pytest.raises(InvalidArgument) as bad_uscc:
        h.register(
            dataclasses.replace(
                source_station(),
                details=dataclasses.replace(
                    cast(SourceMonitor, source_station().details), uscc="91330100716105852X"
                ),
            )
        )
    assert bad_uscc.value.field == "station.source.uscc"
    with pytest.raises(InvalidArgument) as no_facility:
        h.register(power_station("LINE-1", Equipment.PRODUCTION_LINE, 50.0, linked="FAC-404"))
    assert no_facility.value.field == "station.electricity.linked_station_id"
    assert h.scalar("SELECT count(*) FROM stations") == 1
    assert len(h.events("StationRegistered")) == 1


def _permit_issued(
    limit: float, valid_until: tuple[int, int, int] = (2030, 5, 31)
) -> permits_pb2.PermitIssued:
    return permits_pb2.PermitIssued(
        uscc=USCC,
        permit_number=f"{USCC}001P",
        valid_from=common_pb2.Date(year=2025, month=1, day=1),
        valid_until=common_pb2.Date(year=valid_until[0], month=valid_until[1], day=valid_until[2]),
        outlets=[
            permits_pb2.OutletLimits(
                outlet_id=OUTLET,
                limits=[
                    permits_pb2.PollutantLimit(
                        parameter="COD", concentration_limit=common_pb2.Quantity(value=limit, unit="mg/L")
                    ),
                    permits_pb2.PollutantLimit(parameter="NH3N", annual_tonnes=2.0),  # tonnage only
                ],
            )
        ],
    )


def _apply(h: Harness, payload: permits_pb2.PermitIssued | permits_pb2.PermitRevoked) -> None:
    envelope = events.make_envelope(source="permits", subject_id=USCC, payload=payload)
    handler = consumers.handlers(h.ctx)[envelope.type]
    with h.engine.begin() as conn:
        handler(conn, envelope, payload)
    h.ctx.assessor.reload_from(h.engine)


def test_outlet_limits_come_from_permit_events_and_are_never_guessed(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(source_station())
    before = h.ingest([("SRC-1", "COD", START_MS, 80.0)])
    assert [(s, p, r, n) for (s, p, r), n in before.unassessed.items()] == [
        ("SRC-1", "COD", "no valid permit limit", 1)
    ]
    _apply(h, _permit_issued(50.0))
    result = h.ingest([("SRC-1", "COD", START_MS + i * HOUR, 80.0 + i) for i in range(1, 4)])
    assert result.unassessed["SRC-1", "NH3N", "no valid permit limit"] == 0
    detected = h.events("ExceedanceDetected")
    assert len(detected) == 1
    exceedance = detected[0][1].exceedance
    assert exceedance.limit == 50.0 and exceedance.limit_basis == f"permit {USCC}001P"
    assert exceedance.outlet_id == OUTLET and exceedance.uscc == USCC
    nh3n = h.ingest([("SRC-1", "NH3N", START_MS + HOUR, 3.0)])
    assert list(nh3n.unassessed) == [("SRC-1", "NH3N", "no valid permit limit")]
    _apply(h, permits_pb2.PermitRevoked(uscc=USCC, permit_number=f"{USCC}001P"))
    after = h.ingest([("SRC-1", "COD", START_MS + 5 * HOUR, 90.0)])
    assert list(after.unassessed) == [("SRC-1", "COD", "no valid permit limit")]


def test_a_reading_outside_the_permit_validity_has_no_limit(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(source_station())
    _apply(h, _permit_issued(50.0, valid_until=(2025, 5, 31)))  # expired the day before START
    result = h.ingest([("SRC-1", "COD", START_MS + HOUR, 80.0)])
    assert list(result.unassessed) == [("SRC-1", "COD", "no valid permit limit")]


def test_production_with_idle_treatment_raises_treatment_idle_with_both_curves(tmp_path: Path) -> None:
    h = Harness(tmp_path)  # default idle period 30 minutes
    h.register(power_station("FAC-1", Equipment.TREATMENT_FACILITY, 10.0))
    h.register(power_station("LINE-1", Equipment.PRODUCTION_LINE, 50.0, linked="FAC-1"))
    q = 15 * 60_000
    first = h.ingest([("LINE-1", "POWER", START_MS + i * q, 120.0) for i in range(3)])
    assert first.alarms == []  # the facility's curve is not known yet
    second = h.ingest([("FAC-1", "POWER", START_MS + i * q, 1.5) for i in range(3)])
    assert [a.station_id for a in second.alarms] == ["LINE-1"]
    ((_, payload),) = h.events("TreatmentIdleWhileProducing")
    assert payload.uscc == USCC and payload.duration_minutes == 30
    assert [p.value for p in payload.production_power] == [120.0] * 3
    assert [p.value for p in payload.treatment_power] == [1.5] * 3
    # The same period continuing raises nothing more, even after a restart.
    h.restart().ingest(
        [("LINE-1", "POWER", START_MS + 3 * q, 121.0), ("FAC-1", "POWER", START_MS + 3 * q, 1.4)]
    )
    assert len(h.events("TreatmentIdleWhileProducing")) == 1


def _with(station: Station, field: str, value: str) -> Station:
    """The station with one text field (possibly in its details) set to value."""
    if field in ("name", "town"):
        return dataclasses.replace(station, **cast(dict[str, Any], {field: value}))
    return dataclasses.replace(
        station, details=dataclasses.replace(cast(Any, station.details), **{field: value})
    )


def _text_cases() -> list[tuple[str, Station, str, str]]:
    line = power_station("LINE-9", Equipment.PRODUCTION_LINE, 50.0, linked="FAC-1")
    where = {
        "name": water_station("WS-9"),
        "town": water_station("WS-9"),
        "river": water_station("WS-9"),
        "outlet_id": source_station("SRC-9"),
        "equipment_id": line,
        "linked_station_id": line,
    }
    prefix = {"outlet_id": f"{USCC}-"}
    limits = {"name": 200, "town": 100, "river": 100, "outlet_id": 100, "equipment_id": 100}
    limits["linked_station_id"] = 64
    cases = []
    for field, station in where.items():
        start = prefix.get(field, "")
        cases.append((field, station, start + "x" * (limits[field] + 1 - len(start)), "at most"))
        cases.append((field, station, start + "a\x00b", "control characters"))
    return cases


@pytest.mark.parametrize(("field", "station", "value", "reason"), _text_cases())
def test_text_fields_are_bounded_and_free_of_control_characters(
    tmp_path: Path, field: str, station: Station, value: str, reason: str
) -> None:
    h = Harness(tmp_path)
    h.register(power_station("FAC-1", Equipment.TREATMENT_FACILITY, 10.0))
    with pytest.raises(InvalidArgument) as refused:
        h.register(_with(station, field, value))
    assert refused.value.field.endswith(f".{field}") and reason in refused.value.reason
    assert h.scalar("SELECT count(*) FROM stations") == 1


def test_ph_exceedances_quote_the_bound_broken_and_rank_by_distance_outside_6_to_9(tmp_path: Path) -> None:
    h = Harness(tmp_path)  # open after 3, clear after 2
    h.register(water_station(codes=("PH",)))
    h.ingest([("WS-1", "PH", START_MS + i * 4 * HOUR, v) for i, v in enumerate([5.5, 4.0, 5.0, 7.0, 7.1])])
    ((_, detected),) = h.events("ExceedanceDetected")
    assert (detected.exceedance.limit, detected.exceedance.max_value) == (6.0, 4.0)
    ((_, cleared),) = h.events("ExceedanceCleared")
    assert (cleared.exceedance.limit, cleared.exceedance.max_value) == (6.0, 4.0)
    later = START_MS + 10 * 4 * HOUR
    h.ingest([("WS-1", "PH", later + i * 4 * HOUR, v) for i, v in enumerate([9.2, 10.5, 9.8])])
    detected = h.events("ExceedanceDetected")[1][1]
    assert (detected.exceedance.limit, detected.exceedance.max_value) == (9.0, 10.5)
