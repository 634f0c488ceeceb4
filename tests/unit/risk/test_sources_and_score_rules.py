"""Disused radioactive sources (safe-disposal rate at any date) and the dynamic risk score."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.risk.domain import radioactive as ra
from services.risk.domain import score as sc
from services.risk.domain.values import RiskLevel
from shared.errors import FailedPrecondition, InvalidArgument


def _source(sid: str, disused: date) -> ra.DisusedSource:
    return ra.new_disused(
        source_id=sid, uscc="U", kind=ra.Kind.SOURCE, nuclide="Cs-137", category=4, serial=sid,
        disused_on=disused, today=date(2026, 6, 1),
    )  # fmt: skip


def test_disposal_rate_at_any_date() -> None:
    a = ra.dispose(
        _source("A", date(2026, 1, 10)), route=ra.DisposalRoute.STORAGE_FACILITY, receiver="Zhejiang store",
        certificate_ref="C-1", on=date(2026, 2, 1), today=date(2026, 6, 1),
    )  # fmt: skip
    b = _source("B", date(2026, 1, 20))
    sources = [a, b]
    assert ra.disposal_rate(sources, date(2026, 1, 5)).rate == 1.0  # nothing disused yet
    at_jan = ra.disposal_rate(sources, date(2026, 1, 31))
    assert (at_jan.disused, at_jan.disposed, at_jan.rate) == (2, 0, 0.0)
    at_feb = ra.disposal_rate(sources, date(2026, 2, 1))
    assert at_feb.rate == 0.5 and at_feb.overdue == 0
    # B, disused on 20 January, is due by 20 April (art. 32's three months) and overdue after.
    assert ra.disposal_rate(sources, date(2026, 4, 20)).overdue == 0
    assert ra.disposal_rate(sources, date(2026, 4, 21)).overdue == 1
    assert ra.add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_disposal_rules() -> None:
    s = _source("A", date(2026, 1, 10))
    with pytest.raises(InvalidArgument, match="disposed_on"):
        ra.dispose(s, route=ra.DisposalRoute.RETURNED_TO_PRODUCER, receiver="r", certificate_ref="c",
                   on=date(2026, 1, 1), today=date(2026, 6, 1))  # fmt: skip
    done = ra.dispose(s, route=ra.DisposalRoute.RETURNED_TO_PRODUCER, receiver="r", certificate_ref="c",
                      on=date(2026, 1, 11), today=date(2026, 6, 1))  # fmt: skip
    with pytest.raises(FailedPrecondition):
        ra.dispose(done, route=ra.DisposalRoute.RETURNED_TO_PRODUCER, receiver="r", certificate_ref="c",
                   on=date(2026, 1, 12), today=date(2026, 6, 1))  # fmt: skip


NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_score_decays_by_half_life_with_reasons() -> None:
    fresh = sc.Event(sc.Signal.PENALTY, NOW, "case-1")
    old = sc.Event(sc.Signal.PENALTY, NOW - timedelta(days=180), "case-0")
    result = sc.score(RiskLevel.SIGNIFICANT, [fresh, old], NOW)
    assert result.value == pytest.approx(45 + 15 + 7.5)
    assert [r.ref for r in result.reasons] == ["", "case-1", "case-0"]
    later = sc.score(RiskLevel.SIGNIFICANT, [fresh, old], NOW + timedelta(days=180))
    assert later.value == pytest.approx(45 + 7.5 + 3.75)


def test_an_overdue_hazard_weighs_fully_until_it_closes() -> None:
    open_hazard = sc.Event(sc.Signal.OVERDUE_HAZARD, NOW - timedelta(days=100), "H1")
    assert sc.contribution(open_hazard, NOW) == 10
    closed = sc.Event(
        sc.Signal.OVERDUE_HAZARD, NOW - timedelta(days=100), "H1", ended_at=NOW - timedelta(days=60)
    )
    assert sc.contribution(closed, NOW) == pytest.approx(5)


def test_score_caps_at_100_and_drops_faded_reasons() -> None:
    many = [sc.Event(sc.Signal.PENALTY, NOW, f"c{i}") for i in range(10)]
    assert sc.score(RiskLevel.MAJOR, many, NOW).value == 100
    faded = sc.Event(sc.Signal.EXCEEDANCE, NOW - timedelta(days=365), "x")
    assert [r.ref for r in sc.score(None, [faded], NOW).reasons] == [""]


def test_effective_level_adjustments() -> None:
    adj = sc.adjustments(
        overdue_hazards=[("H2", NOW), ("H1", NOW - timedelta(days=1))],
        penalties=[("old", NOW - timedelta(days=4 * 365)), ("recent", NOW - timedelta(days=10))],
        assessment_counted_penalty=False,
        now=NOW,
    )
    assert [(a.cause, a.source_ref) for a in adj] == [
        (sc.Cause.HAZARD_OVERDUE, "H1"),
        (sc.Cause.PENALTY, "recent"),
    ]
    assert sc.effective_level(RiskLevel.GENERAL, adj) is RiskLevel.MAJOR
    assert sc.effective_level(RiskLevel.MAJOR, adj) is RiskLevel.MAJOR
    counted = sc.adjustments(
        overdue_hazards=[], penalties=[("recent", NOW)], assessment_counted_penalty=True, now=NOW
    )
    assert counted == ()
    assert sc.effective_level(None, ()) is None
