"""Petition deadlines at their exact day boundaries in China time, the one extension, linking."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.enforcement.domain import petitions as p
from shared.china_time import CHINA_TIME
from shared.errors import FailedPrecondition, InvalidArgument


def cst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=CHINA_TIME)


def received(at: datetime, **kw: object) -> p.Petition:
    fields: dict[str, object] = {"uscc": "91330100716105852F", "category": "water"} | kw
    return p.receive("P1", at=at, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("at", "last_day"),
    [
        (cst(2026, 12, 1, 0, 0, 0), (2026, 12, 16)),
        (cst(2026, 12, 1, 23, 59, 59), (2026, 12, 16)),
        (cst(2026, 12, 20, 9), (2027, 1, 4)),  # across the new year
        (cst(2028, 2, 14, 9), (2028, 2, 29)),  # a leap day is a day
        (cst(2027, 2, 14, 9), (2027, 3, 1)),
    ],
)
def test_the_accept_decision_is_due_at_the_end_of_the_fifteenth_day_after(
    at: datetime, last_day: tuple[int, int, int]
) -> None:
    assert received(at).accept_due_at == cst(*last_day, 23, 59, 59)


def test_the_day_is_the_citys_day_not_utcs() -> None:
    """16:30 UTC on 30 November is already 1 December in Cixi: the count starts a day later."""
    petition = received(datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    assert petition.accept_due_at == cst(2026, 12, 16, 23, 59, 59)


def test_overdue_starts_the_second_after_the_last_day() -> None:
    petition = received(cst(2026, 12, 1, 10))
    assert not p.is_overdue(petition, cst(2026, 12, 16, 23, 59, 59))
    assert p.is_overdue(petition, cst(2026, 12, 17, 0, 0, 0))


def test_handling_is_due_sixty_days_after_acceptance_and_one_extension_adds_up_to_thirty() -> None:
    petition = p.accept(received(cst(2026, 12, 1, 10)), at=cst(2026, 12, 10, 15))
    assert petition.handle_due_at == cst(2027, 2, 8, 23, 59, 59)
    assert p.is_overdue(petition, cst(2027, 2, 9)) and not p.is_overdue(petition, cst(2027, 2, 8, 23))
    extended = p.extend(petition, days=30, reason="需要第三方检测")
    assert extended.handle_due_at == cst(2027, 3, 10, 23, 59, 59)
    assert not p.is_overdue(extended, cst(2027, 3, 10, 23, 59, 59))
    with pytest.raises(FailedPrecondition, match="extended once already"):
        p.extend(extended, days=1, reason="again")


@pytest.mark.parametrize(
    ("days", "reason", "field"), [(0, "r", "days"), (31, "r", "days"), (10, " ", "reason")]
)
def test_an_extension_needs_1_to_30_days_and_a_reason(days: int, reason: str, field: str) -> None:
    petition = p.accept(received(cst(2026, 12, 1)), at=cst(2026, 12, 2))
    with pytest.raises(InvalidArgument) as refused:
        p.extend(petition, days=days, reason=reason)
    assert refused.value.field == field


def test_the_whole_loop_and_the_steps_out_of_order() -> None:
    petition = received(cst(2026, 12, 1))
    with pytest.raises(FailedPrecondition, match="is received; it cannot be answered"):
        p.answer(petition, text="x", substantiated=False, at=cst(2026, 12, 2))
    answered = p.answer(
        p.accept(petition, at=cst(2026, 12, 2)), text="已整改", substantiated=True, at=cst(2027, 1, 5)
    )
    assert p.due_at(answered) is None and not p.is_overdue(answered, cst(2030, 1, 1))
    closed = p.close(answered, at=cst(2027, 1, 6))
    assert closed.status is p.Status.CLOSED
    with pytest.raises(FailedPrecondition, match="is closed"):
        p.accept(closed, at=cst(2027, 1, 7))


def test_a_declined_petition_says_why_and_can_be_closed() -> None:
    with pytest.raises(InvalidArgument):
        p.decline(received(cst(2026, 12, 1)), reason="")
    declined = p.decline(received(cst(2026, 12, 1)), reason="不属于本部门职责")
    assert p.close(declined, at=cst(2026, 12, 3)).status is p.Status.CLOSED


def test_repeats_about_the_same_enterprise_and_issue_are_linked_to_the_first() -> None:
    first = received(cst(2026, 12, 1))
    second = p.link(p.receive("P2", uscc=first.uscc, category="water", at=cst(2026, 12, 5)), [first])
    third = p.link(p.receive("P3", uscc=first.uscc, category="water", at=cst(2026, 12, 9)), [second, first])
    assert (second.linked_to, third.linked_to) == ("P1", "P1")
    other_issue = p.link(p.receive("P4", uscc=first.uscc, category="air", at=cst(2026, 12, 5)), [first])
    too_late = p.link(p.receive("P5", uscc=first.uscc, category="water", at=cst(2027, 1, 1)), [first])
    assert other_issue.linked_to == too_late.linked_to == ""


def test_unnamed_enterprises_are_linked_by_place() -> None:
    first = p.receive("P1", uscc="", category="odour", at=cst(2026, 12, 1), lat=30.17, lon=121.265)
    near = p.receive("P2", uscc="", category="odour", at=cst(2026, 12, 2), lat=30.1710, lon=121.265)  # ~111 m
    far = p.receive("P3", uscc="", category="odour", at=cst(2026, 12, 2), lat=30.1730, lon=121.265)  # ~334 m
    assert p.link(near, [first]).linked_to == "P1"
    assert p.link(far, [first]).linked_to == ""
