"""Enforcement's events to search documents (the problem ledger on the search and the map): pure
functions in the style of documents.py, merged into its BUILDERS.

One document per problem, "problem:<problem_id>", with its case's stage as its status. A problem's
events may come on two keys (the station before tracing, the enterprise after), so their order on a
replay is not guaranteed: ProblemOpened sets the stage only when it creates the document (its
`defaults`), and every later step overwrites it, so a replay ends where the live stream did.
Descriptions, owners and evidence never enter the index: a document holds what the ledger shows.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from google.protobuf.message import Message

from eco.v1 import enforcement_pb2

if TYPE_CHECKING:
    from gateway.search.documents import Op

pb = enforcement_pb2


def _docs() -> ModuleType:
    # documents.py merges BUILDERS below into its own when it is imported, so this module reaches
    # documents' operations and helpers only when called: either module may be imported first.
    from gateway.search import documents

    return documents


def _stage(value: int) -> str:
    return str(_docs().enum_name(pb.CaseStage, value, "CASE_STAGE_"))


def problem_opened(payload: Message) -> list[Op]:
    """ProblemOpened: the problem's document, its stage set only if the document is new."""
    assert isinstance(payload, pb.ProblemOpened)
    d, p = _docs(), payload.problem
    source = d.enum_name(pb.ProblemSource, p.source, "PROBLEM_SOURCE_")
    props = {
        "problem_id": p.problem_id,
        "case_id": p.case_id,
        "source": source,
        "category": p.category,
        "severity": p.severity,
        "uscc": p.uscc,
        "station_id": p.station_id,
        "parameter": p.parameter,
        "grid_id": p.grid_id,
        "occurred_at": d._time(p.occurred_at),
        "opened_at": d._time(p.opened_at),
    }
    doc = {
        "kind": "problem",
        "ref": p.problem_id,
        "title": p.title,
        "body": d._text(p.uscc, p.station_id, p.parameter, p.category, p.grid_id),
        **d._place(p.town, p.location),
        "props": props,
    }
    return [d.Upsert(d.doc_id("problem", p.problem_id), doc, defaults={"status": _stage(p.stage)})]


def _stage_of_problems(problem_ids: list[str], stage: str, extra: dict[str, Any]) -> list[Op]:
    d = _docs()
    return [
        d.Upsert(
            d.doc_id("problem", pid),
            {"status": stage, "props": extra},
            defaults={"kind": "problem", "ref": pid},
        )
        for pid in problem_ids
    ]


def case_advanced(payload: Message) -> list[Op]:
    """CaseAdvanced: every problem of the case takes its new stage (and the traced enterprise)."""
    assert isinstance(payload, pb.CaseAdvanced)
    c = payload.case
    extra: dict[str, Any] = {"case_number": c.case_number}
    if c.uscc:
        extra["responsible_uscc"] = c.uscc
    outcome = _docs().enum_name(pb.CaseOutcome, c.outcome, "CASE_OUTCOME_")
    if outcome:
        extra["outcome"] = outcome
    return _stage_of_problems(list(c.problem_ids), _stage(payload.to_stage), extra)


def problem_closed(payload: Message) -> list[Op]:
    """ProblemClosed: the problem is closed with its case's outcome (it leaves the map)."""
    assert isinstance(payload, pb.ProblemClosed)
    d = _docs()
    extra = {
        "outcome": d.enum_name(pb.CaseOutcome, payload.outcome, "CASE_OUTCOME_"),
        "closed_at": d._time(payload.closed_at),
    }
    return _stage_of_problems([payload.problem.problem_id], "closed", extra)


BUILDERS: dict[str, Callable[[Message], list[Op]]] = {
    "ProblemOpened": problem_opened,
    "CaseAdvanced": case_advanced,
    "ProblemClosed": problem_closed,
}
