"""Deadlines come from the versioned schedule; an overdue case escalates grid → town → city, once a lapse."""

from __future__ import annotations

from datetime import timedelta

from services.enforcement.domain.case import Stage
from services.enforcement.domain.deadlines import AUTOMATIC_CEILING, CITY, TOWN, escalated, overdue_escalation
from tests.unit.enforcement.factories import NOW, SCHEDULE, case


def test_each_open_stage_has_a_deadline_from_the_schedule() -> None:
    assert SCHEDULE.version
    for stage in Stage:
        due = SCHEDULE.due(stage, NOW)
        assert (due is None) == (stage is Stage.CLOSED)
    assert SCHEDULE.due(Stage.DISCOVERED, NOW) == NOW + timedelta(hours=SCHEDULE.hours[Stage.DISCOVERED])


def test_not_escalated_before_the_deadline() -> None:
    c = case(Stage.DISCOVERED)
    assert c.due_at is not None
    assert overdue_escalation(c, c.due_at, SCHEDULE) is None


def test_one_escalation_per_lapse_and_a_new_lapse_escalates_again() -> None:
    c = case(Stage.DISCOVERED)
    assert c.due_at is not None
    late = c.due_at + timedelta(minutes=1)
    step = overdue_escalation(c, late, SCHEDULE)
    assert step is not None and step.level == TOWN and step.lapse == c.due_at
    c = escalated(c, step, late)
    # The same lapse, asked again (a second worker, a later run): nothing more.
    assert overdue_escalation(c, late + timedelta(seconds=1), SCHEDULE) is None
    assert c.due_at is not None
    again = overdue_escalation(c, c.due_at + timedelta(minutes=1), SCHEDULE)
    assert again is not None and again.level == CITY
    c = escalated(c, again, c.due_at + timedelta(minutes=1))
    assert c.due_at is not None
    assert c.escalation_level == AUTOMATIC_CEILING
    assert overdue_escalation(c, c.due_at + timedelta(days=1), SCHEDULE) is None


def test_a_closed_case_never_escalates() -> None:
    c = case(Stage.CLOSED, due_at=NOW)
    assert overdue_escalation(c, NOW + timedelta(days=9), SCHEDULE) is None
