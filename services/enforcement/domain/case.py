"""A case through the closed loop (REFERENCE.md "Closed loop and minor violations"):
发现 → 溯源 → 锁证 → 查处 → 决定 → 整改 → 销号. Only the next stage may follow; a case may close early
only when it proved no violation or went to another authority."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

from services.enforcement.domain.decisions import Decision, Investigation
from services.enforcement.domain.problem import Source
from services.enforcement.domain.values import Actor, Assignee, GeoPoint
from shared.errors import FailedPrecondition, InvalidArgument


class Stage(enum.StrEnum):
    """The loop's stages, in order."""

    DISCOVERED = "discovered"
    TRACED = "traced"
    EVIDENCE_LOCKED = "evidence_locked"
    INVESTIGATED = "investigated"
    DECIDED = "decided"
    RECTIFIED = "rectified"
    CLOSED = "closed"


class Outcome(enum.StrEnum):
    """How a case ended (empty while it is open)."""

    OPEN = ""
    PENALIZED = "penalized"
    WAIVED = "waived"
    NO_VIOLATION = "no_violation"
    TRANSFERRED = "transferred"


# The one legal successor of each stage.
NEXT: dict[Stage, Stage] = {
    Stage.DISCOVERED: Stage.TRACED,
    Stage.TRACED: Stage.EVIDENCE_LOCKED,
    Stage.EVIDENCE_LOCKED: Stage.INVESTIGATED,
    Stage.INVESTIGATED: Stage.DECIDED,
    Stage.DECIDED: Stage.RECTIFIED,
    Stage.RECTIFIED: Stage.CLOSED,
}
# Before a decision a case may close without one: nothing was found, or another authority took it.
EARLY_CLOSE_FROM = frozenset({Stage.DISCOVERED, Stage.TRACED, Stage.EVIDENCE_LOCKED, Stage.INVESTIGATED})
EARLY_OUTCOMES = frozenset({Outcome.NO_VIOLATION, Outcome.TRANSFERRED})


@dataclass(frozen=True)
class Transition:
    """One step of the case, for its history."""

    from_stage: Stage | None
    to_stage: Stage
    actor: Actor
    note: str
    at: datetime


@dataclass(frozen=True)
class Candidate:
    """A candidate source as tracing ranked it (or as the tracing officer recorded it)."""

    uscc: str
    outlet_id: str
    score: float
    distance_m: float
    reason: str
    method: str
    # The ranking's evidence: the pollutant and the outlet's means before the alarm (None if unread).
    parameter: str = ""
    baseline_mean: float | None = None
    recent_mean: float | None = None


@dataclass(frozen=True)
class Rectification:
    """The responsible party's rectification, checked on site by an officer."""

    measures: str
    evidence_ids: tuple[str, ...]
    completed_at: datetime
    verified_by: Actor
    verified_at: datetime


@dataclass(frozen=True)
class Case:
    """The handling of one or more problems about one subject."""

    case_id: str
    case_number: str
    title: str
    source: Source
    uscc: str
    station_id: str
    location: GeoPoint | None
    town: str
    grid_id: str
    opened_at: datetime
    stage: Stage = Stage.DISCOVERED
    outcome: Outcome = Outcome.OPEN
    owner: Assignee = field(default_factory=Assignee)
    due_at: datetime | None = None
    escalation_level: int = 0
    # The deadline whose lapse was last escalated: one escalation per lapse.
    escalated_lapse: datetime | None = None
    deadline_version: str = ""
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    problem_ids: tuple[str, ...] = ()
    history: tuple[Transition, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    investigation: Investigation | None = None
    decision: Decision | None = None
    rectification: Rectification | None = None
    evidence_head: str = ""
    evidence_count: int = 0
    locked_evidence_sha256: str = ""

    @property
    def is_open(self) -> bool:
        """Whether the case is still in the loop."""
        return self.stage is not Stage.CLOSED

    def overdue(self, now: datetime) -> bool:
        """Whether its current stage's deadline has passed while it is open."""
        return self.is_open and self.due_at is not None and now > self.due_at


def refuse(case: Case, action: str, needs: str) -> FailedPrecondition:
    """The error for a step out of order, naming the case's current stage."""
    return FailedPrecondition(
        f"case {case.case_number} is {case.stage.value.upper()}: cannot {action} (needs {needs})"
    )


def advance(
    case: Case, to: Stage, *, action: str, actor: Actor, note: str, at: datetime, due_at: datetime | None
) -> Case:
    """The case moved to `to`, which must be its stage's one successor; the step is in its history."""
    if NEXT.get(case.stage) is not to:
        needs = next((s for s, n in NEXT.items() if n is to), None)
        raise refuse(case, action, needs.value.upper() if needs else "an open case")
    step = Transition(case.stage, to, actor, note, at)
    return replace(case, stage=to, due_at=due_at, updated_at=at, history=(*case.history, step))


def close(case: Case, outcome: Outcome, *, actor: Actor, note: str, at: datetime) -> Case:
    """销号: from RECTIFIED with the decision's outcome, or earlier as no violation / transferred."""
    if case.stage is Stage.RECTIFIED:
        decided = Outcome.WAIVED if case.decision and case.decision.waived else Outcome.PENALIZED
        if outcome is Outcome.OPEN:
            outcome = decided
        if outcome is not decided:
            raise InvalidArgument(
                "outcome", f"a rectified case closes with its decision's outcome {decided.value.upper()}"
            )
    elif case.stage in EARLY_CLOSE_FROM:
        if outcome not in EARLY_OUTCOMES:
            raise refuse(case, f"close as {outcome.value.upper() or 'UNSPECIFIED'}", "RECTIFIED")
    else:
        raise refuse(case, "close", "RECTIFIED, or an undecided case closed as NO_VIOLATION or TRANSFERRED")
    step = Transition(case.stage, Stage.CLOSED, actor, note, at)
    return replace(
        case,
        stage=Stage.CLOSED,
        outcome=outcome,
        due_at=None,
        updated_at=at,
        closed_at=at,
        history=(*case.history, step),
    )


def require_open(case: Case, action: str) -> None:
    """FAILED_PRECONDITION when the case is already closed."""
    if not case.is_open:
        raise refuse(case, action, "an open case")


def opening(case: Case, actor: Actor, note: str) -> Case:
    """A new case with its opening recorded as the first entry of its history."""
    return replace(
        case,
        updated_at=case.opened_at,
        history=(Transition(None, Stage.DISCOVERED, actor, note, case.opened_at),),
    )
