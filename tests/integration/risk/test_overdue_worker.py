"""The periodic worker under an injected clock: a hazard past its deadline turns overdue once, the
enterprise's level rises, and bad input changes nothing."""

from __future__ import annotations

import time
from datetime import timedelta

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, risk_pb2
from tests.integration.risk.conftest import Risk

USCC = "91330100716105852F"


def _ts(when):  # type: ignore[no-untyped-def]
    ts = Timestamp()
    ts.FromDatetime(when)
    return ts


def test_hazard_overdue_once_under_the_injected_clock(start_risk) -> None:  # type: ignore[no-untyped-def]
    risk: Risk = start_risk(sweep_every=0.2)
    risk.stub.RecordAssessment(
        risk_pb2.RecordAssessmentRequest(
            assessment=risk_pb2.RiskAssessment(
                uscc=USCC,
                source=risk_pb2.ASSESSMENT_SOURCE_BUREAU,
                inputs=risk_pb2.AssessmentInputs(
                    substances=[risk_pb2.SubstanceHolding(substance="chlorine", tonnes=5)]
                ),
            )
        ),
        metadata=risk.md(),
    )
    hazard = risk.stub.ReportHazard(
        risk_pb2.ReportHazardRequest(
            uscc=USCC,
            title="Bund cracked",
            grade=risk_pb2.HAZARD_GRADE_MAJOR,
            source=risk_pb2.HAZARD_SOURCE_INSPECTION,
            rectify_by=_ts(risk.clock.now() + timedelta(days=7)),
        ),
        metadata=risk.md(),
    )
    assert risk.stub.GetEnterpriseRisk(
        risk_pb2.GetEnterpriseRiskRequest(uscc=USCC), metadata=risk.md()
    ).level == (risk_pb2.RISK_LEVEL_GENERAL)
    risk.clock.advance(timedelta(days=7, seconds=1))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        got = risk.stub.GetHazard(risk_pb2.GetHazardRequest(hazard_id=hazard.hazard_id), metadata=risk.md())
        if got.overdue:
            break
        time.sleep(0.2)
    assert got.overdue
    time.sleep(1)  # several more sweeps
    with risk.engine.connect() as conn:
        overdue_events = conn.execute(
            sa.text("SELECT count(*) FROM outbox WHERE event_type = 'HazardOverdue'")
        ).scalar_one()
    assert overdue_events == 1
    level = risk.stub.GetEnterpriseRisk(risk_pb2.GetEnterpriseRiskRequest(uscc=USCC), metadata=risk.md())
    assert level.level == risk_pb2.RISK_LEVEL_SIGNIFICANT and level.overdue_hazards == 1


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (
            risk_pb2.ReportHazardRequest(uscc=USCC, title="t", source=risk_pb2.HAZARD_SOURCE_INSPECTION),
            "grade",
        ),
        (
            risk_pb2.ReportHazardRequest(
                uscc="123",
                title="t",
                grade=risk_pb2.HAZARD_GRADE_GENERAL,
                source=risk_pb2.HAZARD_SOURCE_REPORT,
            ),
            "uscc",
        ),
    ],
)
def test_bad_hazard_input_is_invalid_argument(risk: Risk, request_, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as err:
        risk.stub.ReportHazard(request_, metadata=risk.md())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in (err.value.details() or "")
    assert risk.stub.ListHazards(risk_pb2.ListHazardsRequest(), metadata=risk.md()).page.total == 0


def test_bad_dispatch_input_is_invalid_argument(risk: Risk) -> None:
    with pytest.raises(grpc.RpcError) as err:
        risk.stub.PlanDispatch(
            risk_pb2.PlanDispatchRequest(
                location=common_pb2.GeoPoint(lat=30.1, lon=121.2),
                needs=[risk_pb2.SupplyAmount(item_code="sandbag", quantity=common_pb2.Quantity(value=-1))],
            ),
            metadata=risk.md(),
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "needs[0].quantity.value" in (err.value.details() or "")
