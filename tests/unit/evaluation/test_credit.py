"""Credit rules on constructed histories: points, ceilings, forced levels, recovery, the window,
order independence and a change of rules version."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

import pytest

from services.evaluation.domain import rules
from services.evaluation.domain.credit import RECOVERY_RULE, rate
from services.evaluation.domain.history import assess
from services.evaluation.domain.levels import Level
from shared.china_time import day_start
from tests.unit.evaluation.factories import at, book, fact, penalty, rectified, repair_approved

V1 = book().versions[0]


def test_a_clean_record_is_green_with_full_score() -> None:
    rating = rate([fact("EnterpriseRegistered", at(0))], V1, at(1))
    assert (rating.level, rating.score, rating.reasons) == (Level.GREEN, 100.0, ())
    assert "no event counted" in rating.explanation(V1)


def test_a_fine_costs_20_points_and_caps_the_level_at_yellow() -> None:
    rating = rate([penalty(at(0), "c1", "FINE")], V1, at(1))
    assert rating.score == 80.0
    assert rating.score_level is Level.BLUE  # 80 alone would be blue
    assert rating.level is Level.YELLOW  # the penalty's ceiling
    [reason] = rating.reasons
    assert (reason.rule_id, reason.points, reason.at_best) == ("penalty.fine", -20.0, Level.YELLOW)
    assert "penalty.fine" in rating.explanation(V1) and "cixi-credit-1" in rating.explanation(V1)


def test_the_most_severe_penalty_kind_is_the_one_that_counts() -> None:
    rating = rate([penalty(at(0), "c1", "FINE", "SUSPEND_PRODUCTION")], V1, at(1))
    assert [r.rule_id for r in rating.reasons] == ["penalty.suspend"]
    assert rating.level is Level.RED


def test_a_larger_emergency_caused_by_the_enterprise_forces_red_even_with_a_high_score() -> None:
    emergency = fact("EmergencyDeclared", at(0), subject="em1", grade="III")
    strict = dataclasses.replace(
        V1,
        rules=tuple(
            dataclasses.replace(r, points=0) if r.rule_id == "emergency.larger" else r for r in V1.rules
        ),
    )
    rating = rate([emergency], strict, at(1))
    assert rating.score == 100.0 and rating.score_level is Level.GREEN
    assert rating.level is Level.RED


def test_a_regraded_emergency_counts_at_its_newest_grade() -> None:
    declared = fact("EmergencyDeclared", at(0), subject="em1", grade="IV")
    regraded = fact("EmergencyRegraded", at(0.5), subject="em1", grade="II")
    assert rate([declared], V1, at(1)).level is Level.YELLOW
    assert rate([regraded, declared], V1, at(1)).level is Level.RED


def test_black_only_where_configured() -> None:
    detention = penalty(at(0), "c1", "TRANSFER_DETENTION")
    assert rate([detention], V1, at(1)).level is Level.RED
    assert rate([detention], dataclasses.replace(V1, black_enabled=True), at(1)).level is Level.BLACK


def test_exceedance_days_count_each_local_day_and_stop_at_the_cap() -> None:
    # Opened 23:30 on day 0 (Cixi), cleared 00:30 two days later: three calendar days.
    opened = at(0).replace(hour=15, minute=30)  # 23:30 UTC+8
    cleared = opened + timedelta(hours=25)
    detected = fact("ExceedanceDetected", opened, subject="x1", opened_at=opened.isoformat())
    clear = fact(
        "ExceedanceCleared",
        cleared,
        subject="x1",
        opened_at=opened.isoformat(),
        cleared_at=cleared.isoformat(),
    )
    rating = rate([clear, detected], V1, at(5))
    [reason] = rating.reasons
    assert (reason.rule_id, reason.days, reason.points) == ("exceedance.day", 3, -6.0)
    # Still open 40 days later: 2 points a day, capped at 30.
    assert rate([detected], V1, at(40)).score == 70.0


def test_recovery_needs_both_a_verified_rectification_and_an_approved_repair() -> None:
    fine = penalty(at(0), "c1", "FINE")
    only_rectified = rate([fine, rectified(at(10), "c1")], V1, at(20))
    only_approved = rate([fine, repair_approved(at(12), "c1")], V1, at(20))
    both = rate([fine, rectified(at(10), "c1"), repair_approved(at(12), "c1")], V1, at(20))
    assert only_rectified.level is Level.YELLOW and only_approved.level is Level.YELLOW
    assert (both.level, both.score) == (Level.GREEN, 100.0)
    assert [r.rule_id for r in both.reasons] == ["penalty.fine", RECOVERY_RULE]
    assert both.reasons[1].points == 20.0
    # The repair of another case restores nothing.
    other = rate([fine, rectified(at(10), "c2"), repair_approved(at(12), "c2")], V1, at(20))
    assert other.level is Level.YELLOW


def test_events_leave_the_window_after_a_year() -> None:
    fine = penalty(at(0), "c1", "FINE")
    assert rate([fine], V1, at(364)).level is Level.YELLOW
    assert rate([fine], V1, at(366)).level is Level.GREEN


def test_the_rating_ignores_events_that_had_not_happened_yet() -> None:
    assert rate([penalty(at(5), "c1", "FINE")], V1, at(1)).level is Level.GREEN


def test_order_and_duplicates_do_not_change_the_assessment() -> None:
    facts = [
        fact("EnterpriseRegistered", at(-30)),
        penalty(at(0), "c1", "FINE"),
        fact("HazardOverdue", at(3), subject="h1", grade="GENERAL"),
        fact("ExceedanceDetected", at(4), subject="x1", opened_at=at(4).isoformat()),
        rectified(at(10), "c1"),
        repair_approved(at(11), "c1"),
        fact("PetitionClosed", at(12), subject="p1", substantiated=True),
        fact("PetitionClosed", at(13), subject="p2", substantiated=False),
    ]
    expected = assess(facts, book(), at(30))
    shuffled = facts * 2
    random.Random(7).shuffle(shuffled)
    assert assess(shuffled, book(), at(30)).history == expected.history
    assert assess(shuffled, book(), at(30)).current.level == expected.current.level


def test_history_shows_the_fall_and_the_recovery() -> None:
    facts = [
        fact("EnterpriseRegistered", at(-30)),
        penalty(at(0), "c1", "FINE"),
        rectified(at(10), "c1"),
        repair_approved(at(12), "c1"),
    ]
    history = assess(facts, book(), at(20)).history
    assert [(e.since, e.level) for e in history] == [
        (at(-30), Level.GREEN),
        (at(0), Level.YELLOW),
        (at(12), Level.GREEN),
    ]


def test_a_new_rules_version_rerates_from_its_first_day_and_history_names_both() -> None:
    stricter = dataclasses.replace(
        V1,
        version="cixi-credit-2",
        effective_from=at(20).date(),
        rules=tuple(
            dataclasses.replace(r, points=-40.0) if r.rule_id == "hazard.overdue" else r for r in V1.rules
        ),
    )
    two = rules.book([V1, stricter])
    facts = [
        fact("EnterpriseRegistered", at(-30)),
        fact("HazardOverdue", at(0), subject="h1", grade="GENERAL"),
    ]
    result = assess(facts, two, at(30))
    assert [(e.level, e.score, e.rules_version) for e in result.history] == [
        (Level.GREEN, 100.0, "cixi-credit-1"),
        (Level.BLUE, 92.0, "cixi-credit-1"),
        (Level.YELLOW, 60.0, "cixi-credit-2"),
    ]
    # The new version took over at the start of its first day in Cixi, re-rating the same record.
    assert result.history[-1].since == day_start(at(20).date())
    assert result.current.rules_version == "cixi-credit-2"


@pytest.mark.parametrize(
    ("doc_change", "message"),
    [
        ({"version": ""}, "rules.version"),
        ({"window_days": 0}, "window_days"),
        ({"levels": [{"level": "blue", "min_score": 80}, {"level": "green", "min_score": 95}]}, "levels"),
        ({"rules": [{"id": "x", "event": "E", "description": "d", "points": 5}]}, "points"),
        (
            {"rules": [{"id": "x", "event": "E", "description": "d", "points": -1, "at_best": "purple"}]},
            "at_best",
        ),
    ],
)
def test_a_bad_rule_document_is_refused_naming_the_field(doc_change: dict[str, object], message: str) -> None:
    doc: dict[str, object] = {
        "version": "v",
        "effective_from": "2024-01-01",
        "window_days": 365,
        "base_score": 100,
        "levels": [{"level": "green", "min_score": 95}, {"level": "red", "min_score": 0}],
        "rules": [],
        **doc_change,
    }
    with pytest.raises(ValueError, match=message):
        rules.from_dict(doc)
