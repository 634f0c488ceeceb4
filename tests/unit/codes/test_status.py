"""The public read model: newer facts win, whatever order the topics deliver them in."""

from datetime import date, timedelta

from services.codes.domain.status import (
    CreditFact,
    CreditLevel,
    EnterpriseStatus,
    PermitFact,
    PermitState,
    ProfileFact,
    apply_credit,
    apply_permit,
    apply_profile,
)
from tests.unit.codes.factories import T0

U = "91330100716105852F"


def test_an_older_credit_event_does_not_overwrite_a_newer_one() -> None:
    status = apply_credit(EnterpriseStatus(U), CreditFact(U, CreditLevel.YELLOW, T0 + timedelta(hours=1)))
    assert apply_credit(status, CreditFact(U, CreditLevel.GREEN, T0)).credit_level is CreditLevel.YELLOW
    newer = apply_credit(status, CreditFact(U, CreditLevel.RED, T0 + timedelta(hours=2)))
    assert (newer.credit_level, newer.credit_as_of) == (CreditLevel.RED, T0 + timedelta(hours=2))


def test_credit_before_registration_is_kept_and_the_profile_fills_in_later() -> None:
    status = apply_credit(EnterpriseStatus(U), CreditFact(U, CreditLevel.BLUE, T0))
    assert not status.registered
    status = apply_profile(status, ProfileFact(U, "慈溪甲厂", "坎墩", "C3311", T0 - timedelta(days=3)))
    assert status.registered and status.name == "慈溪甲厂" and status.credit_level is CreditLevel.BLUE


def test_expiry_keeps_the_number_and_dates_and_shows_expired() -> None:
    issued = PermitFact(U, "P-1", PermitState.VALID, "key", date(2020, 1, 1), date(2024, 12, 31), T0)
    status = apply_permit(EnterpriseStatus(U), issued)
    expired = apply_permit(
        status, PermitFact(U, "P-1", PermitState.EXPIRED, "", None, None, T0 + timedelta(1))
    )
    assert expired.permit_state is PermitState.EXPIRED
    assert (expired.permit_number, expired.permit_valid_to, expired.permit_class) == (
        "P-1",
        date(2024, 12, 31),
        "key",
    )


def test_a_valid_permit_past_its_end_date_shows_expired_before_the_event_arrives() -> None:
    fact = PermitFact(U, "P-1", PermitState.VALID, "key", date(2020, 1, 1), date(2024, 12, 31), T0)
    status = apply_permit(EnterpriseStatus(U), fact)
    assert status.permit_state_on(date(2024, 12, 31)) is PermitState.VALID
    assert status.permit_state_on(date(2025, 1, 1)) is PermitState.EXPIRED
