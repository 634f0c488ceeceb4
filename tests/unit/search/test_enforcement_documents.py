"""Enforcement's events to problem documents: one document per problem, its case's stage as its
status whatever order a replay brings the events in, no description or owner in the index; the
map's problems layer leaves closed problems out."""

from __future__ import annotations

from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2
from eco.v1 import enforcement_pb2 as pb
from gateway.search import documents, query
from gateway.search.documents import Op, Upsert

PROBLEM = pb.Problem(
    problem_id="p-1",
    case_id="c-1",
    source=pb.PROBLEM_SOURCE_EXCEEDANCE,
    title="三八江浒山断面 NH3N 超标",
    description="internal: multiple 0.27",
    category="water",
    station_id="W-1",
    parameter="NH3N",
    location=common_pb2.GeoPoint(lat=30.15, lon=121.25),
    town="浒山",
    grid_id="west",
    stage=pb.CASE_STAGE_DISCOVERED,
    severity="medium",
    opened_at=Timestamp(seconds=1_772_416_800),
)


def _apply(docs: dict[str, dict[str, Any]], ops: list[Op]) -> None:
    """What the indexer does with an upsert: create from defaults + doc, else merge doc (one level)."""
    for op in ops:
        assert isinstance(op, Upsert)
        if op.doc_id not in docs:
            docs[op.doc_id] = {**op.defaults, **op.doc}
            continue
        current = docs[op.doc_id]
        for key, value in op.doc.items():
            current[key] = {**current.get(key, {}), **value} if isinstance(value, dict) else value


def _advanced(to: int) -> pb.CaseAdvanced:
    return pb.CaseAdvanced(
        case_id="c-1",
        to_stage=to,  # type: ignore[arg-type]
        case=pb.Case(case_id="c-1", case_number="CX-1", uscc="91330282MA2AAAAA1X", problem_ids=["p-1"]),
    )


def test_a_problem_document_holds_the_ledgers_public_line_and_no_description() -> None:
    [op] = documents.BUILDERS["ProblemOpened"](pb.ProblemOpened(problem=PROBLEM, new_case=True))
    assert isinstance(op, Upsert) and op.doc_id == "problem:p-1"
    assert op.doc["kind"] == "problem" and op.doc["location"] == {"lat": 30.15, "lon": 121.25}
    assert op.doc["props"]["source"] == "exceedance" and op.doc["props"]["severity"] == "medium"
    assert "internal" not in str(op.doc) and "status" not in op.doc
    assert op.defaults == {"status": "discovered"}


def test_the_stage_ends_where_the_stream_did_in_either_order() -> None:
    opened = documents.BUILDERS["ProblemOpened"](pb.ProblemOpened(problem=PROBLEM, new_case=True))
    traced = documents.BUILDERS["CaseAdvanced"](_advanced(pb.CASE_STAGE_TRACED))
    in_order: dict[str, dict[str, Any]] = {}
    for ops in (opened, traced):
        _apply(in_order, ops)
    reordered: dict[str, dict[str, Any]] = {}
    for ops in (traced, opened):
        _apply(reordered, ops)
    assert in_order["problem:p-1"]["status"] == reordered["problem:p-1"]["status"] == "traced"
    assert reordered["problem:p-1"]["title"] == PROBLEM.title
    assert in_order["problem:p-1"]["props"]["responsible_uscc"] == "91330282MA2AAAAA1X"


def test_a_closed_problem_is_closed_and_off_the_problems_layer() -> None:
    closed = pb.ProblemClosed(problem=PROBLEM, case_id="c-1", outcome=pb.CASE_OUTCOME_PENALIZED)
    [op] = documents.BUILDERS["ProblemClosed"](closed)
    assert isinstance(op, Upsert) and op.doc["status"] == "closed"
    assert op.doc["props"]["outcome"] == "penalized"
    body = query.map_body("problems", bbox=None)
    assert body["query"]["bool"]["must_not"] == [{"term": {"status": "closed"}}]
    assert {"term": {"kind": "problem"}} in body["query"]["bool"]["filter"]
    asked = query.map_body("problems", bbox=None, status="closed")
    assert (
        asked["query"]["bool"]["must_not"] == []
        and {"term": {"status": "closed"}} in asked["query"]["bool"]["filter"]
    )
    assert "problems" not in query.PENDING_LAYERS
