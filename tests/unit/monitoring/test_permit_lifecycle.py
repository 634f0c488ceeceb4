"""A permit's end closes the exceedances held to its limits; a reinstatement restores the limits.

Events go through the PermitConsumer's handle_raw, as Kafka would deliver them (no broker needed:
the consumer connects only when it polls).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message

from eco.v1 import common_pb2, permits_pb2
from services.monitoring.domain.stations import Parameter
from services.monitoring.entrypoints.consumers import PermitConsumer, handlers
from shared import events
from tests.unit.monitoring.support import HOUR, START_MS, USCC, Harness, source_station

OUTLET = f"{USCC}-DW001"
PERMIT = f"{USCC}001P"
LIMITS = [
    permits_pb2.OutletLimits(
        outlet_id=OUTLET,
        limits=[
            permits_pb2.PollutantLimit(
                parameter="COD", concentration_limit=common_pb2.Quantity(value=50.0, unit="mg/L")
            )
        ],
    )
]
TERM: dict[str, Any] = {
    "valid_from": common_pb2.Date(year=2025, month=1, day=1),
    "valid_until": common_pb2.Date(year=2030, month=5, day=31),
}


def _deliver(h: Harness, payload: Message) -> bool:
    consumer = PermitConsumer(
        h.engine,
        "127.0.0.1:1",
        h.ctx.assessor,
        h.ctx.evaluator,
        group_id="unit",
        topics=["eco.permits.events"],
        handlers=handlers(h.ctx),
    )
    envelope = events.make_envelope(source="permits", subject_id=USCC, payload=payload)
    return consumer.handle_raw(envelope.SerializeToString())


def _cod(station: str, values: list[float], first: int) -> list[tuple[str, str, int, float]]:
    return [(station, "COD", START_MS + (first + i) * HOUR, v) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("ending", "status"),
    [
        (permits_pb2.PermitRevoked(uscc=USCC, permit_number=PERMIT), "revoked"),
        (permits_pb2.PermitSuspended(uscc=USCC, permit_number=PERMIT, case_id="C-1"), "suspended"),
        (permits_pb2.PermitExpired(uscc=USCC, permit_number=PERMIT), "expired"),
    ],
)
def test_a_permits_end_closes_its_exceedances_once_with_the_reason(
    tmp_path: Path, ending: Message, status: str
) -> None:
    h = Harness(tmp_path)
    h.register(source_station())
    # A second monitor on the same outlet, held to an alarm limit of its own: not the permit's.
    h.register(
        dataclasses.replace(source_station("SRC-2"), parameters=(Parameter("COD", "mg/L", 3600, 60.0),))
    )
    assert _deliver(h, permits_pb2.PermitIssued(uscc=USCC, permit_number=PERMIT, outlets=LIMITS, **TERM))
    h.ingest(_cod("SRC-1", [80.0, 85.0, 90.0], 0) + _cod("SRC-2", [80.0, 85.0, 90.0], 0))
    assert h.scalar("SELECT count(*) FROM exceedances WHERE cleared_ts IS NULL") == 2

    assert _deliver(h, ending)
    ((_, cleared),) = h.events("ExceedanceCleared")
    assert cleared.reason == f"permit ended: {status}" and cleared.exceedance.station_id == "SRC-1"
    assert cleared.exceedance.limit_basis == f"permit {PERMIT}" and not cleared.exceedance.open
    assert h.scalar("SELECT station_id FROM exceedances WHERE cleared_ts IS NULL") == "SRC-2"
    # Readings after the end: no limit any more, and the closed exceedance is not closed again.
    after = h.ingest(_cod("SRC-1", [10.0, 11.0, 12.0], 3))
    assert list(after.unassessed) == [("SRC-1", "COD", "no valid permit limit")]
    assert len(h.events("ExceedanceCleared")) == 1


def test_a_reinstated_permit_restores_the_thresholds(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(source_station())
    _deliver(h, permits_pb2.PermitIssued(uscc=USCC, permit_number=PERMIT, outlets=LIMITS, **TERM))
    _deliver(h, permits_pb2.PermitSuspended(uscc=USCC, permit_number=PERMIT))
    suspended = h.ingest(_cod("SRC-1", [80.0], 0))
    assert list(suspended.unassessed) == [("SRC-1", "COD", "no valid permit limit")]
    reinstated = permits_pb2.PermitReinstated(
        uscc=USCC, permit_number=PERMIT, outlets=LIMITS, status=permits_pb2.PERMIT_STATUS_ISSUED, **TERM
    )
    assert _deliver(h, reinstated)
    result = h.ingest(_cod("SRC-1", [81.0, 82.0, 83.0], 1))
    assert list(result.unassessed) == [] and len(result.alarms) == 1
    assert h.events("ExceedanceDetected")[0][1].exceedance.limit == 50.0
