"""Monitoring's, problems', accounts', petitions' and the session's answers refuse fields their models
do not declare, so /openapi.json says what they answer (issue 8, gateway); integers a message cannot
carry are bad input, not a 500 (issue 10, point 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from eco.v1 import enforcement_pb2, monitoring_pb2
from gateway.proto_json import to_json
from gateway.routers import accounts, monitoring, petitions, problem_models, problems
from tests.integration.gateway.contract import COVERED_TAGS, open_objects
from tests.unit.gateway.support import gateway


def test_every_covered_response_object_refuses_undeclared_fields(tmp_path: Path) -> None:
    with gateway(tmp_path) as client:
        document = client.get("/openapi.json").json()
    tags = {tag for item in document["paths"].values() for op in item.values() for tag in op.get("tags", [])}
    assert {"accounts", "monitoring", "petitions", "problems", "session"} <= COVERED_TAGS & tags
    assert open_objects(document) == []


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (monitoring.StationOut, to_json(monitoring_pb2.Station(station_id="st-1"))),
        (monitoring.SeriesOut, to_json(monitoring_pb2.TimeSeries(station_id="st-1", parameter="NH3N"))),
        (monitoring.ExceedanceOut, to_json(monitoring_pb2.Exceedance(exceedance_id="x-1"))),
        (problem_models.CaseOut, to_json(enforcement_pb2.Case(case_id="c-1"))),
        (problem_models.ProblemOut, to_json(enforcement_pb2.Problem(problem_id="p-1"))),
        (accounts.TokenOut, {"username": "zhou.li", "token": "t"}),
    ],
)
def test_a_field_the_model_does_not_declare_fails_the_answer(model: type, fields: dict[str, object]) -> None:
    model.model_validate(fields)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="surprise"):
        model.model_validate({**fields, "surprise": 1})  # type: ignore[attr-defined]


def test_an_evidence_item_answers_without_its_inline_bytes() -> None:
    item = enforcement_pb2.Evidence(evidence_id="e-1", content=b"\xff\xd8x", content_sha256="ab")
    answer = problems._evidence(item)
    assert answer.evidence_id == "e-1" and "content" not in answer.model_dump()
    with pytest.raises(ValidationError):
        problem_models.EvidenceOut.model_validate(to_json(item))


def test_an_integer_the_message_cannot_carry_is_refused_naming_its_field() -> None:
    assert petitions.ExtensionIn(days=2**31 - 1, reason="r").days == 2**31 - 1
    with pytest.raises(ValidationError, match="days"):
        petitions.ExtensionIn(days=-220417577855779, reason="r")  # found by schemathesis: was a 500
    with pytest.raises(ValidationError, match="fine_fen"):
        problem_models.DecisionIn(fine_fen=2**63)
    with pytest.raises(ValidationError, match="external_size_bytes"):
        problem_models.EvidenceIn(kind="photo", external_size_bytes=-(2**63) - 1)
