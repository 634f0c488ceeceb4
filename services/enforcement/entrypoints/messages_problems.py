"""Problems of the ledger as protobuf: the reply and event payload of a problem and its history."""

from __future__ import annotations

from eco.v1 import enforcement_pb2
from services.enforcement.domain.case import Stage
from services.enforcement.domain.problem import Entry, Problem
from services.enforcement.entrypoints.messages_cases import SOURCE, STAGE
from services.enforcement.entrypoints.messages_values import actor, geo
from shared.proto_values import timestamp

pb = enforcement_pb2


def entry(e: Entry) -> pb.ProblemEntry:
    """One line of a problem's history."""
    return pb.ProblemEntry(
        at=timestamp(e.at), actor=actor(e.actor), what=e.what, note=e.note, source_ref=e.source_ref
    )


def problem(p: Problem, stage: Stage) -> pb.Problem:
    """A problem of the ledger, with its case's stage."""
    f = p.fields
    return pb.Problem(
        problem_id=p.problem_id,
        source=SOURCE[f.source],
        source_ref=f.source_ref,
        title=f.title,
        description=f.description,
        category=f.category,
        uscc=f.uscc,
        station_id=f.station_id,
        location=geo(f.location),
        town=f.town,
        grid_id=f.grid_id,
        occurred_at=timestamp(f.occurred_at),
        opened_at=timestamp(p.opened_at),
        case_id=p.case_id,
        stage=STAGE[stage],
        opened_by=actor(f.actor),
        history=[entry(e) for e in p.history],
        parameter=f.parameter,
        severity=f.severity.value,
    )
