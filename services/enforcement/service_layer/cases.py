"""Case use cases: each step of the closed loop in one transaction, with its events.

Every step locks the case row, lets the domain decide, writes the case and its history, adds the
step to each of its problems' history and publishes CaseAdvanced (and the decision's events).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from services.enforcement.adapters import case_repository as case_repo
from services.enforcement.adapters import edition_repository as editions
from services.enforcement.adapters import evidence_repository as evidence_repo
from services.enforcement.adapters import problem_repository as problem_repo
from services.enforcement.domain import case as loop
from services.enforcement.domain import deadlines
from services.enforcement.domain import evidence as chain
from services.enforcement.domain.case import Candidate, Case, Outcome, Rectification, Stage
from services.enforcement.domain.decisions import DecisionIn, Investigation, decide
from services.enforcement.domain.events import (
    CaseAdvanced,
    CaseAssigned,
    CaseEscalated,
    PenaltyDecided,
    ProblemClosed,
    SuspendPermitOrder,
    ViolationWaived,
)
from services.enforcement.domain.problem import Entry, Source
from services.enforcement.domain.values import Actor, Assignee, text
from services.enforcement.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.errors import FailedPrecondition, InvalidArgument, NotFound
from shared.uscc import validate_uscc

Step = Callable[[Tx, Case], Case]


def key_of(case: Case) -> str:
    """The Kafka key of a case's events: the enterprise, else the station, else the case."""
    return case.uscc or case.station_id or case.case_id


def _run(deps: Deps, case_id: str, step: Step, what: str, actor: Actor, note: str = "") -> Case:
    """Lock, step, save, record on the problems, publish CaseAdvanced when the stage moved."""
    with transaction(deps) as tx:
        before = case_repo.get(tx.conn, case_id=case_id, for_update=True)
        if before is None:
            raise NotFound("case", case_id)
        after = step(tx, before)
        case_repo.save(tx.conn, before, after)
        problem_repo.append_to_case(tx.conn, case_id, Entry(tx.now, actor, what, note))
        if after.stage is not before.stage:
            tx.publish(key_of(after), CaseAdvanced(after, before.stage, actor))
        if after.stage is Stage.CLOSED:
            for problem in problem_repo.of_case(tx.conn, case_id):
                tx.publish(key_of(after), ProblemClosed(problem, after))
        return after


def _due(tx: Tx, case: Case, stage: Stage) -> datetime | None:
    return editions.schedule(tx.conn, case.deadline_version or None).due(stage, tx.now)


def get(deps: Deps, *, case_id: str) -> Case:
    """One case with its history."""
    with deps.engine.connect() as conn:
        case = case_repo.get(conn, case_id=case_id)
    if case is None:
        raise NotFound("case", case_id)
    return case


def get_all(
    deps: Deps,
    *,
    stages: list[Stage],
    uscc: str,
    town: str,
    grid_id: str,
    owner_department: str,
    overdue_only: bool,
    source: Source | None,
    page_size: int,
    page_token: str,
) -> paging.Page[Case]:
    """Cases filtered, newest first."""
    size, after = paging.page_size(page_size), paging.decode(page_token)
    with deps.engine.connect() as conn:
        return case_repo.get_all(
            conn,
            stages=stages,
            uscc=uscc,
            town=town,
            grid_id=grid_id,
            owner_department=owner_department,
            overdue_at=deps.clock.now() if overdue_only else None,
            source=source,
            size=size,
            after=after,
        )


def _future(tx: Tx, due_at: datetime | None) -> None:
    if due_at is not None and due_at <= tx.now:
        raise InvalidArgument("due_at", f"must be after now ({tx.now.isoformat()})")


def assign(deps: Deps, *, case_id: str, owner: Assignee, due_at: datetime | None, actor: Actor) -> Case:
    """Give the current stage an owner and, optionally, a new deadline."""

    def step(tx: Tx, case: Case) -> Case:
        loop.require_open(case, "assign")
        _future(tx, due_at)
        after = replace(case, owner=owner, due_at=due_at or case.due_at, updated_at=tx.now)
        tx.publish(key_of(after), CaseAssigned(after))
        return after

    return _run(deps, case_id, step, "assigned", actor, owner.commissioner_id or owner.department)


def escalate(
    deps: Deps, *, case_id: str, reason: str, owner: Assignee | None, due_at: datetime | None, actor: Actor
) -> Case:
    """Raise a case one level by hand (an officer's judgement of harm or urgency)."""

    def step(tx: Tx, case: Case) -> Case:
        loop.require_open(case, "escalate")
        if case.escalation_level >= deadlines.CITY_GOVERNMENT:
            raise FailedPrecondition(f"case {case.case_number} is already at the city government")
        _future(tx, due_at)
        level = case.escalation_level + 1
        case_repo.record_escalation(tx.conn, case.case_id, f"{reason}:{uuid.uuid4()}", level, reason, tx.now)
        after = replace(
            case,
            escalation_level=level,
            owner=owner or case.owner,
            due_at=due_at or case.due_at,
            updated_at=tx.now,
        )
        tx.publish(key_of(after), CaseEscalated(after, reason))
        return after

    return _run(deps, case_id, step, f"escalated ({reason})", actor, actor.reason)


def trace(
    deps: Deps, *, case_id: str, responsible_uscc: str, candidates: list[Candidate], note: str, actor: Actor
) -> Case:
    """DISCOVERED → TRACED: the source found responsible (or none) and the candidates weighed."""
    uscc = validate_uscc(responsible_uscc, field="responsible_uscc") if responsible_uscc.strip() else ""
    note = text("note", note, required=False, max_len=4000, free_text=True)

    def step(tx: Tx, case: Case) -> Case:
        after = loop.advance(
            case,
            Stage.TRACED,
            action="trace",
            actor=actor,
            note=note,
            at=tx.now,
            due_at=_due(tx, case, Stage.TRACED),
        )
        return replace(after, uscc=uscc or case.uscc, candidates=tuple(candidates) or case.candidates)

    return _run(deps, case_id, step, "traced", actor, note)


def lock_evidence(deps: Deps, *, case_id: str, expected_head: str, actor: Actor) -> Case:
    """TRACED → EVIDENCE_LOCKED: seal the chain at the head the caller reviewed, if it is intact."""

    def step(tx: Tx, case: Case) -> Case:
        after = loop.advance(
            case,
            Stage.EVIDENCE_LOCKED,
            action="lock evidence",
            actor=actor,
            note=f"sealed at {case.evidence_head}",
            at=tx.now,
            due_at=_due(tx, case, Stage.EVIDENCE_LOCKED),
        )
        if case.evidence_count == 0:
            raise FailedPrecondition(f"case {case.case_number} has no evidence to lock")
        if expected_head.strip().lower() != case.evidence_head:
            raise FailedPrecondition(
                f"case {case.case_number}'s evidence head is {case.evidence_head}, not the one reviewed "
                f"({expected_head or 'none given'}): evidence was added since; review it again"
            )
        verdict = chain.verify(
            evidence_repo.chain(tx.conn, case.case_id), lambda i: deps.store.get(i.content_sha256)
        )
        if not verdict.intact:
            raise FailedPrecondition(
                f"case {case.case_number}'s evidence chain is broken at item "
                f"{verdict.first_broken_sequence}: {verdict.problem}"
            )
        return replace(after, locked_evidence_sha256=case.evidence_head)

    return _run(deps, case_id, step, "evidence locked", actor)


def investigate(deps: Deps, *, case_id: str, investigation: Investigation) -> Case:
    """EVIDENCE_LOCKED → INVESTIGATED: the findings, by at least two officers."""
    text("investigation.findings", investigation.findings, max_len=8000, free_text=True)
    if len(set(investigation.inspector_ids)) < 2:
        # Administrative Penalty Law art. 42: an investigation is carried out by at least two officers.
        raise InvalidArgument(
            "investigation.inspector_ids", "at least two officers investigate (行政处罚法 art. 42)"
        )

    def step(tx: Tx, case: Case) -> Case:
        after = loop.advance(
            case,
            Stage.INVESTIGATED,
            action="record the investigation",
            actor=investigation.actor,
            note=investigation.findings,
            at=tx.now,
            due_at=_due(tx, case, Stage.INVESTIGATED),
        )
        return replace(after, investigation=replace(investigation, investigated_at=tx.now))

    return _run(deps, case_id, step, "investigated", investigation.actor, investigation.findings)


def decide_case(deps: Deps, *, case_id: str, decision_in: DecisionIn) -> Case:
    """INVESTIGATED → DECIDED: a penalty or a waiver; a permit suspension is ordered from permits."""

    def step(tx: Tx, case: Case) -> Case:
        loop.require_open(case, "decide")
        if case.stage is not Stage.INVESTIGATED:
            raise loop.refuse(case, "decide", "INVESTIGATED")
        decision = decide(
            decision_in,
            investigation=case.investigation,
            uscc=case.uscc,
            catalogue=editions.catalogue(tx.conn),
            waivers=editions.waivers(tx.conn),
            decision_id=str(uuid.uuid4()),
            now=tx.now,
        )
        note = (
            "waived: " + decision.fields.waiver_list_item if decision.waived else decision.fields.legal_basis
        )
        after = loop.advance(
            case,
            Stage.DECIDED,
            action="decide",
            actor=decision_in.decided_by,
            note=note,
            at=tx.now,
            due_at=decision.rectify_by,
        )
        after = replace(after, decision=decision)
        tx.publish(key_of(after), ViolationWaived(after) if decision.waived else PenaltyDecided(after))
        if decision.suspends_permit:
            reason = f"{decision.fields.document_number}: {decision.fields.violation}"[:1000]
            order = SuspendPermitOrder(case.uscc, decision.fields.permit_number, case.case_id, reason)
            tx.publish(case.uscc, order)
        return after

    return _run(deps, case_id, step, "decided", decision_in.decided_by, decision_in.document_number)


def rectify(
    deps: Deps,
    *,
    case_id: str,
    measures: str,
    evidence_ids: list[str],
    completed_at: datetime | None,
    actor: Actor,
) -> Case:
    """DECIDED → RECTIFIED: the rectification, checked on site by the recording officer."""
    measures = text("rectification.measures", measures, max_len=4000, free_text=True)

    def step(tx: Tx, case: Case) -> Case:
        after = loop.advance(
            case,
            Stage.RECTIFIED,
            action="record the rectification",
            actor=actor,
            note=measures,
            at=tx.now,
            due_at=_due(tx, case, Stage.RECTIFIED),
        )
        done = completed_at or tx.now
        if done > tx.now:
            raise InvalidArgument("rectification.completed_at", "must not be in the future")
        own = {i.evidence_id for i in evidence_repo.chain(tx.conn, case.case_id)}
        stray = [e for e in evidence_ids if e not in own]
        if stray:
            raise InvalidArgument(
                "rectification.evidence_ids", f"not evidence of this case: {', '.join(stray)}"
            )
        return replace(after, rectification=Rectification(measures, tuple(evidence_ids), done, actor, tx.now))

    return _run(deps, case_id, step, "rectified", actor, measures)


def close(deps: Deps, *, case_id: str, outcome: Outcome, note: str, actor: Actor) -> Case:
    """→ CLOSED (销号): from RECTIFIED, or earlier as no violation / transferred."""
    note = text("note", note, required=False, max_len=4000, free_text=True)

    def step(tx: Tx, case: Case) -> Case:
        return loop.close(case, outcome, actor=actor, note=note, at=tx.now)

    return _run(deps, case_id, step, "closed", actor, note)
