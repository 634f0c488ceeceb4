"""Permit renewal through the gRPC API (排污许可管理条例 art. 14, 行政许可法 art. 50), on PostgreSQL
and Kafka, with the service's clock moved by hand.

Every permit here is issued from 2026-03-02 (the fixture clock's day), so its last valid day is
2031-03-01 and the in-time deadline 60 days before, 2030-12-31.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import grpc
import pytest

from eco.v1 import common_pb2, permits_pb2
from services.permits.bootstrap import EXPIRY_WORKER
from shared.periodic import Periodic
from tests.integration.permits.conftest import Permits
from tests.integration.permits.kafka_events import events_about
from tests.integration.permits.test_grpc_contract import WHO, _code
from tests.integration.permits.test_term_dates import issue_from
from tests.support import infra

pytestmark = pytest.mark.integration
UNTIL = date(2031, 3, 1)
REFUSAL = common_pb2.Actor(user="officer-9", reason="材料不全，逾期未补正")


def _day(d: common_pb2.Date) -> date:
    return date(d.year, d.month, d.day)


def _set_day(p: Permits, day: date) -> None:
    """10:00 in Cixi on `day`."""
    p.clock.set(datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC))


def _issued(p: Permits) -> permits_pb2.Permit:
    issued = issue_from(p, common_pb2.Date(year=2026, month=3, day=2))
    assert _day(issued.valid_until) == UNTIL and _day(issued.renewal_apply_by) == date(2030, 12, 31)
    return issued


def _act(p: Permits, method: str, number: str, actor: common_pb2.Actor = WHO) -> permits_pb2.Permit:
    request = permits_pb2.PermitActionRequest(permit_number=number, actor=actor)
    result: permits_pb2.Permit = getattr(p.stub, method)(request, metadata=p.md())
    return result


def _get(p: Permits, number: str) -> permits_pb2.Permit:
    return p.stub.GetPermit(permits_pb2.GetPermitRequest(permit_number=number), metadata=p.md())


@pytest.mark.parametrize(("days_before", "late_by"), [(61, 0), (60, 0), (59, 1)])
def test_applied_61_60_and_59_days_before_expiry(permits: Permits, days_before: int, late_by: int) -> None:
    p = permits
    number = _issued(p).permit_number
    applied_on = UNTIL - timedelta(days=days_before)
    _set_day(p, applied_on)
    applied = _act(p, "ApplyPermitRenewal", number)
    r = applied.latest_renewal
    assert r.status == permits_pb2.PERMIT_RENEWAL_STATUS_PENDING
    assert (_day(r.applied_on), _day(r.expires_after), _day(r.apply_by)) == (
        applied_on,
        UNTIL,
        date(2030, 12, 31),
    )
    assert (r.days_before_expiry, r.late, r.late_by_days) == (days_before, late_by > 0, late_by)
    assert r.keeps_in_force is (late_by == 0)
    assert _day(r.review_due) == applied_on + timedelta(days=20)  # art. 14: 20 days
    assert applied.status == permits_pb2.PERMIT_STATUS_ISSUED and _day(applied.valid_until) == UNTIL
    assert _get(p, number).latest_renewal == r
    status, details = _code(lambda: _act(p, "ApplyPermitRenewal", number))
    assert status is grpc.StatusCode.FAILED_PRECONDITION and "is under review" in details


def test_review_and_grant_start_the_day_after_the_old_term(permits: Permits, kafka_bootstrap: str) -> None:
    p = permits
    issued = _issued(p)
    number = issued.permit_number
    _set_day(p, date(2030, 11, 2))
    _act(p, "ApplyPermitRenewal", number)
    _set_day(p, date(2030, 11, 20))  # decided within the 20 days, before the old term ends
    renewed = _act(p, "RenewPermit", number)
    assert renewed.status == permits_pb2.PERMIT_STATUS_RENEWED and renewed.renewals == 1
    assert (_day(renewed.valid_from), _day(renewed.valid_until)) == (date(2031, 3, 2), date(2036, 3, 1))
    r = renewed.latest_renewal
    assert r.status == permits_pb2.PERMIT_RENEWAL_STATUS_GRANTED and _day(r.decided_on) == date(2030, 11, 20)
    assert (r.late, r.gap_days) == (False, 0)
    status, details = _code(lambda: _act(p, "RenewPermit", number))
    assert status is grpc.StatusCode.FAILED_PRECONDITION and "no renewal application under review" in details

    seen = events_about(kafka_bootstrap, issued.uscc, until_types={"PermitRenewalApplied", "PermitRenewed"})
    [applied] = [e for t, e in seen if t == "PermitRenewalApplied"]
    assert isinstance(applied, permits_pb2.PermitRenewalApplied)
    assert _day(applied.renewal.applied_on) == date(2030, 11, 2) and not applied.renewal.late
    [event] = [e for t, e in seen if t == "PermitRenewed"]
    assert isinstance(event, permits_pb2.PermitRenewed)
    assert _day(event.valid_from) == date(2031, 3, 2) and event.renewal.gap_days == 0
    assert event.previous_status == permits_pb2.PERMIT_STATUS_ISSUED and event.outlets


def test_refusal_needs_a_reason_and_leaves_the_term_as_it_was(permits: Permits, kafka_bootstrap: str) -> None:
    p = permits
    issued = _issued(p)
    number = issued.permit_number
    status, details = _code(lambda: _act(p, "RefusePermitRenewal", number, REFUSAL))
    assert status is grpc.StatusCode.FAILED_PRECONDITION and "no renewal application under review" in details
    _set_day(p, date(2030, 10, 1))
    _act(p, "ApplyPermitRenewal", number)
    status, details = _code(lambda: _act(p, "RefusePermitRenewal", number, common_pb2.Actor(user="x")))
    assert status is grpc.StatusCode.INVALID_ARGUMENT and details.startswith("actor.reason")
    assert _get(p, number).latest_renewal.status == permits_pb2.PERMIT_RENEWAL_STATUS_PENDING
    refused = _act(p, "RefusePermitRenewal", number, REFUSAL)
    assert refused.status == permits_pb2.PERMIT_STATUS_ISSUED and _day(refused.valid_until) == UNTIL
    assert refused.latest_renewal.status == permits_pb2.PERMIT_RENEWAL_STATUS_REFUSED
    assert refused.latest_renewal.last_action.reason == REFUSAL.reason
    status, _ = _code(lambda: _act(p, "RenewPermit", number))
    assert status is grpc.StatusCode.FAILED_PRECONDITION
    seen = events_about(kafka_bootstrap, issued.uscc, until_types={"PermitRenewalRefused"})
    assert [t for t, _ in seen].count("PermitRenewed") == 0


def _scheduler_passes(p: Permits) -> Callable[[], None]:
    [scheduler] = [w for w in p.service.workers if isinstance(w, Periodic) and w.name == EXPIRY_WORKER]

    def two_more() -> None:
        # The pass under way may have read the clock before it moved: wait for one that started after.
        done = scheduler.runs
        infra.wait_for(lambda: scheduler.runs >= done + 2, timeout=10, what="two scheduler passes")

    return two_more


def test_at_expiry_an_in_time_renewal_keeps_the_permit_in_force_and_a_late_one_does_not(
    start_permits: Callable[..., Permits], kafka_bootstrap: str
) -> None:
    p = start_permits(expiry_every=0.2)
    two_more_passes = _scheduler_passes(p)
    in_time, late, refused, none = (_issued(p) for _ in range(4))
    _set_day(p, UNTIL - timedelta(days=60))
    _act(p, "ApplyPermitRenewal", in_time.permit_number)
    _act(p, "ApplyPermitRenewal", refused.permit_number)
    _set_day(p, UNTIL - timedelta(days=59))
    _act(p, "ApplyPermitRenewal", late.permit_number)
    _set_day(p, UNTIL)
    two_more_passes()
    assert {_get(p, x.permit_number).status for x in (in_time, late, refused, none)} == {
        permits_pb2.PERMIT_STATUS_ISSUED
    }

    _set_day(p, UNTIL + timedelta(days=1))
    infra.wait_for(
        lambda: _get(p, late.permit_number).status == permits_pb2.PERMIT_STATUS_EXPIRED,
        timeout=10,
        what="the scheduler to expire the permit with a late renewal pending",
    )
    two_more_passes()
    assert _get(p, none.permit_number).status == permits_pb2.PERMIT_STATUS_EXPIRED
    kept = _get(p, in_time.permit_number)
    assert kept.status == permits_pb2.PERMIT_STATUS_ISSUED and _day(kept.valid_until) == UNTIL
    assert kept.latest_renewal.keeps_in_force

    # Refusing an application that kept its permit in force ends the permit at once.
    ended = _act(p, "RefusePermitRenewal", refused.permit_number, REFUSAL)
    assert ended.status == permits_pb2.PERMIT_STATUS_EXPIRED
    # Granting one keeps the term continuous: no gap, from the day after the old end.
    _set_day(p, UNTIL + timedelta(days=5))
    granted = _act(p, "RenewPermit", in_time.permit_number)
    assert granted.status == permits_pb2.PERMIT_STATUS_RENEWED
    assert _day(granted.valid_from) == UNTIL + timedelta(days=1) and granted.latest_renewal.gap_days == 0
    two_more_passes()
    assert _get(p, in_time.permit_number).status == permits_pb2.PERMIT_STATUS_RENEWED

    kept_seen = events_about(kafka_bootstrap, in_time.uscc, until_types={"PermitRenewed"})
    assert "PermitExpired" not in [t for t, _ in kept_seen]
    refused_seen = events_about(kafka_bootstrap, refused.uscc, until_types={"PermitExpired"})
    assert [t for t, _ in refused_seen][-2:] == ["PermitRenewalRefused", "PermitExpired"]


def test_a_late_renewal_granted_after_expiry_reports_the_gap(
    start_permits: Callable[..., Permits], kafka_bootstrap: str
) -> None:
    p = start_permits(expiry_every=0.2)
    issued = _issued(p)
    number = issued.permit_number
    _set_day(p, UNTIL - timedelta(days=10))
    assert _act(p, "ApplyPermitRenewal", number).latest_renewal.late_by_days == 50
    _set_day(p, UNTIL + timedelta(days=1))
    infra.wait_for(
        lambda: _get(p, number).status == permits_pb2.PERMIT_STATUS_EXPIRED,
        timeout=10,
        what="the scheduler to expire the permit",
    )
    # The lapsed enterprise cannot start a second permit while this renewal is undecided.
    status, details = _code(
        lambda: p.stub.ApplyPermit(
            permits_pb2.ApplyPermitRequest(uscc=issued.uscc, outlets=[issued.outlets[0]]), metadata=p.md()
        )
    )
    assert status is grpc.StatusCode.FAILED_PRECONDITION and "is under review" in details
    _set_day(p, UNTIL + timedelta(days=11))
    renewed = _act(p, "RenewPermit", number)
    assert renewed.status == permits_pb2.PERMIT_STATUS_RENEWED
    assert (_day(renewed.valid_from), _day(renewed.valid_until)) == (date(2031, 3, 2), date(2036, 3, 1))
    r = renewed.latest_renewal
    # Without a permit from 2031-03-02 through 2031-03-11, the day before the grant: 10 days.
    assert (r.late, r.late_by_days, r.gap_days) == (True, 50, 10)
    seen = events_about(kafka_bootstrap, issued.uscc, until_types={"PermitRenewed"})
    types = [t for t, _ in seen]
    assert types.index("PermitRenewalApplied") < types.index("PermitExpired") < types.index("PermitRenewed")
    event = seen[-1][1]
    assert isinstance(event, permits_pb2.PermitRenewed)
    assert event.previous_status == permits_pb2.PERMIT_STATUS_EXPIRED and event.renewal.gap_days == 10
