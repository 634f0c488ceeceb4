"""Discharge-permit lifecycle and validity (排污许可管理条例 2021, art. 13; renewal: test_renewal_rules)."""

from __future__ import annotations

from datetime import date

import pytest

from services.permits.domain.enterprise import OutletKind
from services.permits.domain.permit import (
    TRANSITIONS,
    OutletLimits,
    PermitStatus,
    PollutantLimit,
    next_status,
    validate_outlet_limits,
    validity,
)
from services.permits.domain.values import term_end
from shared.errors import FailedPrecondition, InvalidArgument

S = PermitStatus
LEGAL = {
    ("start_review", S.APPLIED): S.UNDER_REVIEW,
    ("issue", S.UNDER_REVIEW): S.ISSUED,
    ("reject", S.UNDER_REVIEW): S.REJECTED,
    ("withdraw", S.APPLIED): S.WITHDRAWN,
    ("withdraw", S.UNDER_REVIEW): S.WITHDRAWN,
    ("reinstate", S.SUSPENDED): S.ISSUED,  # renewed when renewals > 0: reinstated_status()
    ("renew", S.ISSUED): S.RENEWED,
    ("renew", S.RENEWED): S.RENEWED,
    # A late renewal application is granted after the permit lapsed (art. 14; renewal.py).
    ("renew", S.EXPIRED): S.RENEWED,
    ("suspend", S.ISSUED): S.SUSPENDED,
    ("suspend", S.RENEWED): S.SUSPENDED,
    ("revoke", S.ISSUED): S.REVOKED,
    ("revoke", S.RENEWED): S.REVOKED,
    ("revoke", S.SUSPENDED): S.REVOKED,
    ("expire", S.ISSUED): S.EXPIRED,
    ("expire", S.RENEWED): S.EXPIRED,
    ("expire", S.SUSPENDED): S.EXPIRED,
}


@pytest.mark.parametrize(("action", "current"), [(a, s) for a in TRANSITIONS for s in PermitStatus])
def test_every_action_from_every_state(action: str, current: PermitStatus) -> None:
    if (action, current) in LEGAL:
        assert next_status(current, action, "P1") is LEGAL[(action, current)]
    else:
        with pytest.raises(
            FailedPrecondition, match=f"cannot {action.replace('_', ' ')} a permit that is {current}"
        ):
            next_status(current, action, "P1")


def test_terminal_states_allow_nothing() -> None:
    for terminal in (S.REVOKED, S.REJECTED, S.WITHDRAWN):
        for action in TRANSITIONS:
            with pytest.raises(FailedPrecondition):
                next_status(terminal, action, "P1")


def test_an_expired_permit_allows_only_the_grant_of_a_late_renewal() -> None:
    assert [a for a in TRANSITIONS if S.EXPIRED in TRANSITIONS[a][0]] == ["renew"]


def test_validity_is_five_years_to_the_day_before() -> None:
    assert validity(date(2024, 1, 1)) == (date(2024, 1, 1), date(2028, 12, 31))


@pytest.mark.parametrize(
    ("start", "last_day"),
    [
        # Civil Code art. 202: no 29 February in 2029, so the month's last day ends the term.
        (date(2024, 2, 29), date(2029, 2, 28)),
        # 28 February, leap and common start years: the day before the same date.
        (date(2024, 2, 28), date(2029, 2, 27)),
        (date(2023, 2, 28), date(2028, 2, 27)),
        # The days around: 1 March ends on the last day of February, 29th in a leap end year.
        (date(2024, 3, 1), date(2029, 2, 28)),
        (date(2023, 3, 1), date(2028, 2, 29)),
        (date(2021, 12, 1), date(2026, 11, 30)),
    ],
)
def test_term_ends_by_civil_code_art_202(start: date, last_day: date) -> None:
    assert validity(start) == (start, last_day)


def test_a_29_february_term_ending_in_a_leap_year_ends_the_day_before() -> None:
    # 4-year terms land on a leap year: the corresponding day exists, so the day before it.
    assert term_end(date(2024, 2, 29), 4) == date(2028, 2, 28)
    assert term_end(date(2024, 2, 29), 1) == date(2025, 2, 28)


def _limit(**overrides: object) -> PollutantLimit:
    values = dict(
        parameter="COD", concentration=50.0, unit="mg/L", annual_tonnes=10.0, concentration_floor=0.0
    )
    values.update(overrides)
    return PollutantLimit(**values)  # type: ignore[arg-type]


KNOWN = {"X-DW001": OutletKind.WASTEWATER}


def test_limits_are_normalised_and_take_the_outlet_kind() -> None:
    [checked] = validate_outlet_limits(
        [
            OutletLimits(
                "X-DW001",
                None,
                (
                    _limit(parameter="nh3n"),
                    _limit(parameter="PH", unit="", concentration=9, concentration_floor=6),
                ),
            )
        ],
        KNOWN,
        required=True,
    )
    assert checked.kind is OutletKind.WASTEWATER
    assert [lim.parameter for lim in checked.limits] == ["NH3N", "PH"]


@pytest.mark.parametrize(
    ("limit", "field"),
    [
        (_limit(concentration=float("nan")), "outlets[0].limits[0].concentration_limit.value"),
        (_limit(concentration=float("inf")), "outlets[0].limits[0].concentration_limit.value"),
        (_limit(concentration=-1.0), "outlets[0].limits[0].concentration_limit.value"),
        (_limit(concentration=0.0), "outlets[0].limits[0].concentration_limit.value"),
        (_limit(annual_tonnes=-0.1), "outlets[0].limits[0].annual_tonnes"),
        (_limit(unit=""), "outlets[0].limits[0].concentration_limit.unit"),
        (_limit(parameter="NH3-N"), "outlets[0].limits[0].parameter"),
        (_limit(concentration_floor=60.0), "outlets[0].limits[0].concentration_floor"),
    ],
)
def test_bad_limits_name_the_field(limit: PollutantLimit, field: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        validate_outlet_limits([OutletLimits("X-DW001", None, (limit,))], KNOWN, required=True)
    assert err.value.field == field


def test_unknown_or_repeated_outlets_are_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"not an outlet of this enterprise"):
        validate_outlet_limits([OutletLimits("Y-DW001", None, (_limit(),))], KNOWN, required=True)
    with pytest.raises(InvalidArgument, match=r"listed twice"):
        validate_outlet_limits([OutletLimits("X-DW001", None, (_limit(),))] * 2, KNOWN, required=True)
    with pytest.raises(InvalidArgument, match=r"at least one outlet"):
        validate_outlet_limits([], KNOWN, required=True)
