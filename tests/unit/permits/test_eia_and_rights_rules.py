"""EIA deadlines (EIA Law art. 22) and the rights ledger's quantity rules."""

from __future__ import annotations

from datetime import date

import pytest

from services.permits.domain import rights
from services.permits.domain.eia import (
    EiaApplication,
    EiaDocumentType,
    EiaStatus,
    check_decided_on,
    decide,
    initial_status,
    start_review,
)
from services.permits.domain.values import Actor
from shared.errors import FailedPrecondition, InvalidArgument


def _app(
    doc: EiaDocumentType, *, green: bool = False, status: EiaStatus = EiaStatus.ACCEPTED
) -> EiaApplication:
    return EiaApplication("E1", "U", "项目", doc, status, date(2026, 1, 10), green, None, "", Actor("bureau"))


def test_report_has_60_days_and_report_form_30() -> None:
    assert _app(EiaDocumentType.REPORT).deadline == date(2026, 3, 11)
    assert _app(EiaDocumentType.REPORT_FORM).deadline == date(2026, 2, 9)


def test_days_left_counts_down_and_goes_negative_when_late() -> None:
    app = _app(EiaDocumentType.REPORT_FORM)
    assert app.days_left(date(2026, 2, 1)) == 8
    assert not app.overdue(date(2026, 2, 9))
    assert app.days_left(date(2026, 2, 12)) == -3
    assert app.overdue(date(2026, 2, 12))


def test_registration_form_is_filed_with_no_deadline() -> None:
    assert initial_status(EiaDocumentType.REGISTRATION_FORM) is EiaStatus.FILED
    app = _app(EiaDocumentType.REGISTRATION_FORM, status=EiaStatus.FILED)
    assert app.deadline is None and not app.overdue(date(2030, 1, 1))
    with pytest.raises(FailedPrecondition):
        start_review(app)


def test_green_channel_sets_a_shorter_internal_target() -> None:
    assert _app(EiaDocumentType.REPORT).internal_target is None
    green = _app(EiaDocumentType.REPORT, green=True)
    assert green.internal_target is not None and green.deadline is not None
    assert green.internal_target < green.deadline


def test_state_machine() -> None:
    accepted = _app(EiaDocumentType.REPORT)
    with pytest.raises(FailedPrecondition, match=r"only an application under review"):
        decide(accepted, True)
    assert start_review(accepted) is EiaStatus.UNDER_REVIEW
    reviewing = _app(EiaDocumentType.REPORT, status=EiaStatus.UNDER_REVIEW)
    with pytest.raises(FailedPrecondition):
        start_review(reviewing)
    assert decide(reviewing, True) is EiaStatus.APPROVED
    assert decide(reviewing, False) is EiaStatus.REJECTED
    for final in (EiaStatus.APPROVED, EiaStatus.REJECTED):
        with pytest.raises(FailedPrecondition):
            decide(_app(EiaDocumentType.REPORT, status=final), True)


def test_decision_dates_out_of_order_are_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"before the acceptance"):
        check_decided_on(date(2026, 1, 9), date(2026, 1, 10), date(2026, 2, 1))
    with pytest.raises(InvalidArgument, match=r"in the future"):
        check_decided_on(date(2026, 2, 2), date(2026, 1, 10), date(2026, 2, 1))


def test_tonnes_become_exact_grams() -> None:
    assert rights.to_grams("tonnes", 12.5) == 12_500_000
    assert rights.to_grams("tonnes", 0.1) + rights.to_grams("tonnes", 0.2) == rights.to_grams("tonnes", 0.3)
    assert rights.to_grams("cap_tonnes", 0.0, allow_zero=True) == 0


@pytest.mark.parametrize("tonnes", [0.0, -1.0, float("nan"), float("inf"), float("-inf"), 1e-9, 1e12])
def test_meaningless_quantities_are_refused(tonnes: float) -> None:
    with pytest.raises(InvalidArgument) as err:
        rights.to_grams("tonnes", tonnes)
    assert err.value.field == "tonnes"


def test_only_the_five_pollutants() -> None:
    assert rights.pollutant(" nh3n ") == "NH3N"
    with pytest.raises(InvalidArgument, match=r"must be one of COD, NH3N, SO2, NOX, VOCS"):
        rights.pollutant("PM")
