"""Inspection tasks: one per drawn unit, its on-site result, and its publication (一公开).

Every on-site inspection has at least two enforcement officers (Administrative Penalty Law art. 42);
a violation found opens a problem in the ledger (source INSPECTION); results are made public.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime

from services.enforcement.domain.draw import MIN_TEAM
from services.enforcement.domain.values import text
from shared.errors import FailedPrecondition, InvalidArgument


class TaskStatus(enum.StrEnum):
    """Where a task is."""

    ASSIGNED = "assigned"
    INSPECTED = "inspected"
    PUBLISHED = "published"


class Outcome(enum.StrEnum):
    """What the inspection found."""

    COMPLIANT = "compliant"
    VIOLATION = "violation"
    NOT_OPERATING = "not_operating"


@dataclass(frozen=True)
class Result:
    """The on-site result of a task."""

    outcome: Outcome
    findings: str
    inspector_ids: tuple[str, ...]
    inspected_at: datetime
    evidence_refs: tuple[str, ...] = ()
    problem_id: str = ""


@dataclass(frozen=True)
class Task:
    """One unit to inspect from a draw, its team and its result."""

    task_id: str
    draw_id: str
    plan_id: str
    uscc: str
    class_code: str
    inspector_ids: tuple[str, ...]
    status: TaskStatus
    due: date
    result: Result | None = None
    published_at: datetime | None = None


def result(
    *,
    outcome: Outcome | None,
    findings: str,
    inspector_ids: list[str],
    inspected_at: datetime,
    evidence_refs: list[str],
    now: datetime,
) -> Result:
    """A result's fields checked: an outcome, two or more officers, a time not in the future."""
    if outcome is None:
        raise InvalidArgument("result.outcome", "required")
    team = tuple(dict.fromkeys(text("result.inspector_ids", i, max_len=64) for i in inspector_ids))
    if len(team) < MIN_TEAM:
        raise InvalidArgument("result.inspector_ids", f"at least {MIN_TEAM} officers inspect together")
    if inspected_at > now:
        raise InvalidArgument("result.inspected_at", "is in the future")
    required = outcome is Outcome.VIOLATION
    found = text("result.findings", findings, required=required, max_len=4000, free_text=True)
    refs = tuple(text("result.evidence_refs", r, max_len=200) for r in evidence_refs)
    return Result(outcome, found, team, inspected_at, refs)


def record(task: Task, r: Result) -> Task:
    """The task with its result; only an assigned task takes one, by officers of its team."""
    if task.status is not TaskStatus.ASSIGNED:
        raise FailedPrecondition(f"task {task.task_id} is {task.status.value}; its result is recorded")
    strangers = [i for i in r.inspector_ids if i not in task.inspector_ids]
    if strangers:
        raise InvalidArgument("result.inspector_ids", f"not drawn for this task: {', '.join(strangers)}")
    return replace(task, status=TaskStatus.INSPECTED, result=r)


def publish(task: Task, at: datetime) -> Task:
    """The task made public; only an inspected task can be."""
    if task.status is not TaskStatus.INSPECTED:
        raise FailedPrecondition(f"task {task.task_id} is {task.status.value}; only inspected ones publish")
    return replace(task, status=TaskStatus.PUBLISHED, published_at=at)
