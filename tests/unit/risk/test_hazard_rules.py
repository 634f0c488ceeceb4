"""Hidden hazards: deadline, one extension with a reason, rectification, verification, one lapse each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.risk.domain import hazards as h
from services.risk.domain.values import Actor
from shared.errors import FailedPrecondition, InvalidArgument

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
OFFICER = Actor("bureau", "li")
PLANT = Actor("enterprise", "wang")


def _hazard(deadline_days: int = 10) -> h.Hazard:
    return h.new_hazard(
        hazard_id="H1",
        uscc="91330100716105852F",
        title="Tank bund cracked",
        description="",
        grade=h.HazardGrade.MAJOR,
        source=h.HazardSource.INSPECTION,
        location=None,
        town="Andong",
        found_at=T0,
        found_by=OFFICER,
        rectify_by=T0 + timedelta(days=deadline_days),
        required_measures="repair the bund",
        now=T0,
    )


def test_lapses_exactly_once_at_its_deadline() -> None:
    hz = _hazard()
    assert not hz.is_due_to_lapse(hz.rectify_by - timedelta(seconds=1))
    assert hz.is_due_to_lapse(hz.rectify_by)
    lapsed = h.mark_lapsed(hz, hz.rectify_by)
    assert lapsed.overdue and lapsed.overdue_since == hz.rectify_by
    assert not lapsed.is_due_to_lapse(hz.rectify_by + timedelta(days=30))
    with pytest.raises(FailedPrecondition):
        h.mark_lapsed(lapsed, hz.rectify_by + timedelta(days=1))


def test_a_rejected_late_rectification_is_the_same_lapse() -> None:
    lapsed = h.mark_lapsed(_hazard(), T0 + timedelta(days=10))
    fixed = h.report_rectified(
        lapsed,
        measures="patched",
        evidence_refs=["photo-1"],
        completed_at=None,
        actor=PLANT,
        now=T0 + timedelta(days=12),
    )
    assert not fixed.overdue  # waiting for the officer's check
    reopened = h.verify(
        fixed, accepted=False, note="still leaking", actor=OFFICER, now=T0 + timedelta(days=13)
    )
    assert reopened.overdue
    assert not reopened.is_due_to_lapse(T0 + timedelta(days=14))


def test_rectified_in_time_then_rejected_after_the_deadline_lapses_then() -> None:
    fixed = h.report_rectified(
        _hazard(),
        measures="patched",
        evidence_refs=["photo-1"],
        completed_at=None,
        actor=PLANT,
        now=T0 + timedelta(days=9),
    )
    assert not fixed.is_due_to_lapse(T0 + timedelta(days=11))  # waiting for the check is not overdue
    reopened = h.verify(fixed, accepted=False, note="not done", actor=OFFICER, now=T0 + timedelta(days=11))
    assert reopened.is_due_to_lapse(T0 + timedelta(days=11))


def test_one_extension_with_a_reason_before_the_deadline() -> None:
    hz = _hazard()
    later = T0 + timedelta(days=20)
    with pytest.raises(InvalidArgument, match="reason"):
        h.extend(hz, rectify_by=later, reason=" ", actor=PLANT, now=T0)
    with pytest.raises(InvalidArgument, match="rectify_by"):
        h.extend(hz, rectify_by=hz.rectify_by, reason="parts on order", actor=PLANT, now=T0)
    extended = h.extend(
        hz, rectify_by=later, reason="parts on order", actor=PLANT, now=T0 + timedelta(days=1)
    )
    assert extended.rectify_by == later
    assert extended.deadline_changes[0].previous == hz.rectify_by
    assert not extended.is_due_to_lapse(T0 + timedelta(days=15))
    with pytest.raises(FailedPrecondition, match="once"):
        h.extend(
            extended,
            rectify_by=later + timedelta(days=1),
            reason="again",
            actor=PLANT,
            now=T0 + timedelta(days=2),
        )
    # The new deadline lapses in its turn, once.
    assert extended.is_due_to_lapse(later)


def test_no_extension_after_the_deadline_passed() -> None:
    hz = _hazard()
    with pytest.raises(FailedPrecondition, match="has passed"):
        h.extend(hz, rectify_by=T0 + timedelta(days=30), reason="late", actor=PLANT, now=hz.rectify_by)


def test_rectification_needs_evidence_and_verification_closes() -> None:
    hz = _hazard()
    with pytest.raises(InvalidArgument, match="evidence_refs"):
        h.report_rectified(hz, measures="done", evidence_refs=[], completed_at=None, actor=PLANT, now=T0)
    fixed = h.report_rectified(
        hz, measures="done", evidence_refs=["report.pdf"], completed_at=None, actor=PLANT, now=T0
    )
    with pytest.raises(InvalidArgument, match="note"):
        h.verify(fixed, accepted=False, note="", actor=OFFICER, now=T0)
    closed = h.verify(fixed, accepted=True, note="", actor=OFFICER, now=T0 + timedelta(hours=1))
    assert closed.status is h.HazardStatus.CLOSED and closed.closed_at is not None
    assert not closed.is_due_to_lapse(T0 + timedelta(days=100))
    with pytest.raises(FailedPrecondition):
        h.verify(closed, accepted=True, note="", actor=OFFICER, now=T0)


def test_deadline_must_follow_discovery() -> None:
    with pytest.raises(InvalidArgument, match="rectify_by"):
        h.new_hazard(
            hazard_id="H2", uscc="x", title="t", description="", grade=h.HazardGrade.GENERAL,
            source=h.HazardSource.SELF_CHECK, location=None, town="", found_at=T0, found_by=PLANT,
            rectify_by=T0, required_measures="", now=T0,
        )  # fmt: skip
