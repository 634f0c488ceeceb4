"""Discharge permits through the service layer: lifecycle, renewal (art. 14), expiry by the clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eco.v1 import permits_pb2
from services.permits.adapters import permit_repository as permit_repo
from services.permits.adapters.tables import permit_renewals as renewal_table
from services.permits.adapters.tables import permits as permits_table
from services.permits.domain.enterprise import OutletKind, PermitClass
from services.permits.domain.events import SuspendOrder
from services.permits.domain.permit import OutletLimits, PermitStatus, PollutantLimit
from services.permits.domain.values import Actor
from services.permits.service_layer import enterprises, orders, permits, renewals
from services.permits.service_layer import permits_in_force as in_force
from services.permits.service_layer.expiry import expire_due
from services.permits.service_layer.unit_of_work import Deps
from shared.clock import ManualClock
from shared.errors import FailedPrecondition, InvalidArgument, NotFound
from tests.unit.permits.factories import CIXI, fields, random_uscc
from tests.unit.permits.support import published

OFFICER = Actor("bureau", "officer-1", "checked on site")


def _enterprise(deps: Deps, permit_class: PermitClass = PermitClass.KEY) -> tuple[str, str]:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields(permit_class=permit_class))
    outlet = enterprises.add_outlet(
        deps,
        uscc=code,
        kind=OutletKind.WASTEWATER,
        name="总排口",
        location=CIXI,
        receiving_river="四灶浦",
        pollutants=["COD"],
    )
    return code, outlet.outlet_id


def _limits(outlet_id: str, cod: float = 50.0) -> list[OutletLimits]:
    return [
        OutletLimits(
            outlet_id,
            None,
            (PollutantLimit("COD", cod, "mg/L", 12.5), PollutantLimit("NH3N", 5, "mg/L", 1.2)),
        )
    ]


def _issued(deps: Deps) -> tuple[str, str]:
    code, outlet_id = _enterprise(deps)
    permit = permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)
    permits.start_review(deps, permit_number=permit.permit_number, actor=OFFICER)
    permits.issue(deps, permit_number=permit.permit_number, valid_from=None, outlets_in=[], actor=OFFICER)
    return code, permit.permit_number


def test_apply_review_issue_publishes_the_limits(deps: Deps, clock: ManualClock) -> None:
    code, outlet_id = _enterprise(deps)
    applied = permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)
    assert applied.permit_number == f"{code}001P"
    assert applied.status is PermitStatus.APPLIED and applied.valid_from is None
    assert (
        permits.start_review(deps, permit_number=applied.permit_number, actor=OFFICER).status
        is PermitStatus.UNDER_REVIEW
    )
    issued = permits.issue(
        deps,
        permit_number=applied.permit_number,
        valid_from=None,
        outlets_in=_limits(outlet_id, cod=40.0),
        actor=OFFICER,
    )
    assert issued.status is PermitStatus.ISSUED
    assert (issued.valid_from, issued.valid_until) == (date(2026, 3, 2), date(2031, 3, 1))
    assert issued.renewal_apply_by == date(2030, 12, 31)
    [(subject, event)] = published(deps, "PermitIssued")
    assert subject == code
    assert event.permit_number == issued.permit_number
    assert (event.valid_until.year, event.valid_until.month, event.valid_until.day) == (2031, 3, 1)
    [outlet] = event.outlets
    assert outlet.outlet_id == outlet_id and outlet.kind == permits_pb2.OUTLET_KIND_WASTEWATER
    cod = next(lim for lim in outlet.limits if lim.parameter == "COD")
    assert (cod.concentration_limit.value, cod.concentration_limit.unit, cod.annual_tonnes) == (
        40.0,
        "mg/L",
        12.5,
    )


def test_illegal_steps_are_failed_precondition(deps: Deps) -> None:
    code, outlet_id = _enterprise(deps)
    applied = permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)
    number = applied.permit_number
    with pytest.raises(FailedPrecondition, match=r"cannot issue a permit that is applied"):
        permits.issue(deps, permit_number=number, valid_from=None, outlets_in=[], actor=OFFICER)
    with pytest.raises(FailedPrecondition, match=r"cannot renew"):
        renewals.grant(deps, permit_number=number, actor=OFFICER)
    with pytest.raises(FailedPrecondition, match=r"cannot apply for renewal of a permit that is applied"):
        renewals.apply(deps, permit_number=number, actor=OFFICER)
    with pytest.raises(FailedPrecondition, match=r"cannot suspend"):
        in_force.suspend(deps, permit_number=number, actor=OFFICER)
    with pytest.raises(FailedPrecondition, match=r"cannot revoke"):
        in_force.revoke(deps, permit_number=number, actor=OFFICER)
    assert permits.get(deps, permit_number=number).status is PermitStatus.APPLIED
    with pytest.raises(FailedPrecondition, match=r"already has permit"):
        permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)
    with pytest.raises(NotFound):
        permits.start_review(deps, permit_number="NOPE", actor=OFFICER)


def test_registration_class_files_no_permit(deps: Deps) -> None:
    code, outlet_id = _enterprise(deps, PermitClass.REGISTRATION)
    with pytest.raises(FailedPrecondition, match=r"registration"):
        permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)


def test_suspend_and_revoke_need_a_reason_then_work(deps: Deps) -> None:
    code, number = _issued(deps)
    with pytest.raises(InvalidArgument, match=r"actor.reason"):
        in_force.suspend(deps, permit_number=number, actor=Actor("bureau"))
    assert in_force.suspend(deps, permit_number=number, actor=OFFICER).status is PermitStatus.SUSPENDED
    with pytest.raises(FailedPrecondition, match=r"cannot renew a permit that is suspended"):
        renewals.grant(deps, permit_number=number, actor=OFFICER)
    revoked = in_force.revoke(deps, permit_number=number, actor=OFFICER)
    assert revoked.status is PermitStatus.REVOKED and revoked.last_action == OFFICER
    assert [s for s, _ in published(deps, "PermitSuspended")] == [code]
    assert [s for s, _ in published(deps, "PermitRevoked")] == [code]


def test_renewal_is_applied_for_then_granted_from_the_day_after_the_old_term(
    deps: Deps, clock: ManualClock
) -> None:
    _, number = _issued(deps)
    until = permits.get(deps, permit_number=number).valid_until
    assert until == date(2031, 3, 1)
    with pytest.raises(FailedPrecondition, match=r"no renewal application under review"):
        renewals.grant(deps, permit_number=number, actor=OFFICER)
    # Years ahead is in time: art. 14 sets a latest day, not an earliest.
    clock.advance(timedelta(days=(until - date(2026, 3, 2)).days - 61))
    applied = renewals.apply(deps, permit_number=number, actor=OFFICER)
    assert applied.pending_renewal is not None
    assert applied.pending_renewal.application.late_by_days == 0
    with pytest.raises(FailedPrecondition, match=r"is under review"):
        renewals.apply(deps, permit_number=number, actor=OFFICER)
    [(_, event)] = published(deps, "PermitRenewalApplied")
    assert event.renewal.status == permits_pb2.PERMIT_RENEWAL_STATUS_PENDING and not event.renewal.late
    clock.advance(timedelta(days=5))
    renewed = renewals.grant(deps, permit_number=number, actor=OFFICER)
    assert renewed.status is PermitStatus.RENEWED and renewed.renewals == 1
    assert renewed.valid_from == until + timedelta(days=1)
    assert renewed.valid_until == date(2036, 3, 1)
    assert renewed.pending_renewal is None and renewed.latest_renewal is not None
    [(_, event)] = published(deps, "PermitRenewed")
    assert event.valid_until.year == 2036 and len(event.outlets) == 1
    assert event.renewal.status == permits_pb2.PERMIT_RENEWAL_STATUS_GRANTED and event.renewal.gap_days == 0


def test_refusal_needs_a_reason_and_closes_the_application(deps: Deps, clock: ManualClock) -> None:
    _, number = _issued(deps)
    with pytest.raises(FailedPrecondition, match=r"no renewal application under review"):
        renewals.refuse(deps, permit_number=number, actor=OFFICER)
    renewals.apply(deps, permit_number=number, actor=OFFICER)
    with pytest.raises(InvalidArgument, match=r"actor.reason"):
        renewals.refuse(deps, permit_number=number, actor=Actor("bureau"))
    refused = renewals.refuse(deps, permit_number=number, actor=OFFICER)
    assert refused.status is PermitStatus.ISSUED and refused.pending_renewal is None
    assert refused.latest_renewal is not None and refused.latest_renewal.status == "refused"
    assert [e.permit_number for _, e in published(deps, "PermitRenewalRefused")] == [number]
    # The enterprise may apply again while the permit is in force.
    assert renewals.apply(deps, permit_number=number, actor=OFFICER).pending_renewal is not None


def test_expiry_by_the_injected_clock(deps: Deps, clock: ManualClock) -> None:
    code, number = _issued(deps)
    _, suspended = _issued(deps)
    in_force.suspend(deps, permit_number=suspended, actor=OFFICER)
    until = permits.get(deps, permit_number=number).valid_until
    assert until is not None
    on_last_day = clock.now() + timedelta(days=(until - date(2026, 3, 2)).days)
    assert expire_due(deps, on_last_day).permits == []
    assert permits.get(deps, permit_number=number).status is PermitStatus.ISSUED
    day_after = on_last_day + timedelta(days=1)
    assert sorted(expire_due(deps, day_after).permits) == sorted([number, suspended])
    assert permits.get(deps, permit_number=number).status is PermitStatus.EXPIRED
    assert expire_due(deps, day_after).permits == []  # a second run finds nothing
    expired = published(deps, "PermitExpired")
    assert sorted(e.permit_number for _, e in expired) == sorted([number, suspended])
    clock.set(day_after)
    with pytest.raises(FailedPrecondition, match=r"no renewal application under review"):
        renewals.grant(deps, permit_number=number, actor=OFFICER)
    with pytest.raises(FailedPrecondition, match=r"cannot apply for renewal of a permit that is expired"):
        renewals.apply(deps, permit_number=number, actor=OFFICER)
    # The enterprise may apply again once its permit has ended.
    outlet_id = f"{code}-DW001"
    again = permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)
    assert again.permit_number == f"{code}002P"


def test_expiring_lists_permits_ending_in_a_range(deps: Deps, clock: ManualClock) -> None:
    _, number = _issued(deps)
    clock.advance(timedelta(days=400))
    _issued(deps)  # ends 400 days later: outside the range below
    first_end = permits.get(deps, permit_number=number).valid_until
    assert first_end is not None
    assert [
        p.permit_number
        for p in permits.expiring(deps, start=first_end - timedelta(days=10), end=first_end).items
    ] == [number]
    assert permits.expiring(deps, start=None, end=None).items == []
    with pytest.raises(InvalidArgument, match=r"to: .* is before from"):
        permits.expiring(deps, start=date(2027, 1, 2), end=date(2027, 1, 1))


def test_issue_dates_out_of_order_are_refused(deps: Deps) -> None:
    code, outlet_id = _enterprise(deps)
    applied = permits.apply(
        deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=date(2026, 2, 1), actor=OFFICER
    )
    permits.start_review(deps, permit_number=applied.permit_number, actor=OFFICER)
    with pytest.raises(InvalidArgument, match=r"valid_from: 2026-01-01 is before the application"):
        permits.issue(
            deps,
            permit_number=applied.permit_number,
            valid_from=date(2026, 1, 1),
            outlets_in=[],
            actor=OFFICER,
        )
    with pytest.raises(InvalidArgument, match=r"applied_on: .* is in the future"):
        permits.apply(deps, uscc=random_uscc(), outlets_in=[], applied_on=date(2027, 1, 1), actor=OFFICER)


def test_suspend_order_suspends_once_and_ignores_what_cannot_apply(deps: Deps) -> None:
    code, number = _issued(deps)
    order = SuspendOrder(uscc=code, permit_number=number, case_id="CASE-1", reason="超标排放")
    with deps.engine.begin() as conn:
        assert orders.apply_suspend_order(deps, conn, order)
    suspended = permits.get(deps, permit_number=number)
    assert suspended.status is PermitStatus.SUSPENDED
    assert suspended.last_action == Actor("enforcement", "case CASE-1", "超标排放")
    [(_, event)] = published(deps, "PermitSuspended")
    assert event.case_id == "CASE-1"
    with deps.engine.begin() as conn:
        assert not orders.apply_suspend_order(deps, conn, order)  # already suspended
        wrong = SuspendOrder(uscc=random_uscc(), permit_number=number, case_id="CASE-2", reason="")
        assert not orders.apply_suspend_order(deps, conn, wrong)
    assert len(published(deps, "PermitSuspended")) == 1


def test_applications_can_be_rejected_or_withdrawn_and_the_enterprise_applies_again(deps: Deps) -> None:
    code, outlet_id = _enterprise(deps)
    first = permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)
    with pytest.raises(FailedPrecondition, match=r"cannot reject a permit that is applied"):
        permits.reject(deps, permit_number=first.permit_number, actor=OFFICER)
    withdrawn = permits.withdraw(deps, permit_number=first.permit_number.lower(), actor=OFFICER)
    assert withdrawn.status is PermitStatus.WITHDRAWN and withdrawn.last_action == OFFICER

    second = permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)
    assert second.permit_number == f"{code}002P"
    permits.start_review(deps, permit_number=second.permit_number, actor=OFFICER)
    with pytest.raises(InvalidArgument, match=r"actor.reason: required: say why the permit is rejected"):
        permits.reject(deps, permit_number=second.permit_number, actor=Actor("bureau"))
    assert permits.get(deps, permit_number=second.permit_number).status is PermitStatus.UNDER_REVIEW
    rejected = permits.reject(deps, permit_number=second.permit_number, actor=OFFICER)
    assert rejected.status is PermitStatus.REJECTED
    with pytest.raises(FailedPrecondition, match=r"cannot withdraw a permit that is rejected"):
        permits.withdraw(deps, permit_number=second.permit_number, actor=OFFICER)

    third = permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)
    assert third.permit_number == f"{code}003P"
    [(subject, w)] = published(deps, "PermitWithdrawn")
    assert subject == code and w.permit_number == first.permit_number and w.actor.reason == OFFICER.reason
    [(_, r)] = published(deps, "PermitRejected")
    assert r.permit_number == second.permit_number and r.actor.user == OFFICER.user


def test_reinstatement_restores_the_state_before_suspension_within_validity(
    deps: Deps, clock: ManualClock
) -> None:
    code, number = _issued(deps)
    with pytest.raises(FailedPrecondition, match=r"cannot reinstate a permit that is issued"):
        in_force.reinstate(deps, permit_number=number, actor=OFFICER)
    in_force.suspend(deps, permit_number=number, actor=OFFICER)
    with pytest.raises(InvalidArgument, match=r"say why the permit is reinstated"):
        in_force.reinstate(deps, permit_number=number, actor=Actor("bureau"))
    back = in_force.reinstate(deps, permit_number=number, actor=OFFICER)
    assert back.status is PermitStatus.ISSUED and back.valid_until == date(2031, 3, 1)
    [(subject, event)] = published(deps, "PermitReinstated")
    assert subject == code and event.status == permits_pb2.PERMIT_STATUS_ISSUED
    assert [lim.parameter for lim in event.outlets[0].limits] == ["COD", "NH3N"]
    assert (event.valid_until.year, event.valid_until.month, event.valid_until.day) == (2031, 3, 1)

    clock.set(clock.now() + timedelta(days=(date(2031, 1, 1) - date(2026, 3, 2)).days))
    renewals.apply(deps, permit_number=number, actor=OFFICER)
    renewals.grant(deps, permit_number=number, actor=OFFICER)
    in_force.suspend(deps, permit_number=number, actor=OFFICER)
    again = in_force.reinstate(deps, permit_number=number, actor=OFFICER)
    assert again.status is PermitStatus.RENEWED and again.renewals == 1
    assert published(deps, "PermitReinstated")[-1][1].status == permits_pb2.PERMIT_STATUS_RENEWED


def test_a_suspension_that_outlived_the_term_cannot_be_reinstated(deps: Deps, clock: ManualClock) -> None:
    _, number = _issued(deps)
    in_force.suspend(deps, permit_number=number, actor=OFFICER)
    clock.set(clock.now() + timedelta(days=(date(2031, 3, 2) - date(2026, 3, 2)).days))
    with pytest.raises(FailedPrecondition, match=r"validity ended on 2031-03-01"):
        in_force.reinstate(deps, permit_number=number, actor=OFFICER)
    assert permits.get(deps, permit_number=number).status is PermitStatus.SUSPENDED
    assert published(deps, "PermitReinstated") == []


def test_valid_from_in_the_future_is_refused_and_apply_records_the_actor(deps: Deps) -> None:
    code, outlet_id = _enterprise(deps)
    applied = permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)
    assert permits.get(deps, permit_number=applied.permit_number).last_action == OFFICER
    permits.start_review(deps, permit_number=applied.permit_number, actor=OFFICER)
    with pytest.raises(InvalidArgument, match=r"valid_from: a permit is entered when it is in force"):
        permits.issue(
            deps,
            permit_number=applied.permit_number,
            valid_from=date(2026, 3, 3),
            outlets_in=[],
            actor=OFFICER,
        )
    assert permits.get(deps, permit_number=applied.permit_number).status is PermitStatus.UNDER_REVIEW
    assert published(deps, "PermitIssued") == []


def test_expiry_leaves_a_permit_whose_validity_was_extended_meanwhile(deps: Deps, clock: ManualClock) -> None:
    # The conditional UPDATE itself checks the validity: a permit read as due but renewed since
    # (here: its term moved on directly in the table) is not expired and gets no PermitExpired.
    _, number = _issued(deps)
    day_after = clock.now() + timedelta(days=(date(2031, 3, 2) - date(2026, 3, 2)).days)
    with deps.engine.begin() as conn:
        [due] = permit_repo.due_to_expire(conn, statuses=[PermitStatus.ISSUED], before=date(2031, 3, 2))
        conn.execute(
            sa.update(permits_table)
            .where(permits_table.c.permit_number == number)
            .values(valid_until=date(2036, 3, 1))
        )
        assert not permit_repo.update_status(
            conn,
            permit_number=number,
            from_statuses=[due.status],
            status=PermitStatus.EXPIRED,
            actor=OFFICER,
            now=day_after,
            valid_until_before=date(2031, 3, 2),
        )
    assert expire_due(deps, day_after).permits == []
    assert permits.get(deps, permit_number=number).status is PermitStatus.ISSUED


def test_class_cannot_become_registration_while_a_permit_is_live(deps: Deps) -> None:
    code, outlet_id = _enterprise(deps)
    applied = permits.apply(deps, uscc=code, outlets_in=_limits(outlet_id), applied_on=None, actor=OFFICER)
    to_registration = fields(permit_class=PermitClass.REGISTRATION)
    with pytest.raises(
        FailedPrecondition, match=rf"has discharge permit {applied.permit_number} \(applied\)"
    ):
        enterprises.update(deps, uscc=code, fields_in=to_registration, paths=["permit_class"])
    assert enterprises.get(deps, uscc=code).fields.permit_class is PermitClass.KEY
    assert published(deps, "EnterpriseUpdated") == []
    # Another change is fine while the permit is live; the class may change once it has ended.
    enterprises.update(
        deps, uscc=code, fields_in=fields(permit_class=PermitClass.SIMPLIFIED), paths=["permit_class"]
    )
    permits.withdraw(deps, permit_number=applied.permit_number, actor=OFFICER)
    updated = enterprises.update(deps, uscc=code, fields_in=to_registration, paths=["permit_class"])
    assert updated.fields.permit_class is PermitClass.REGISTRATION


def test_one_pending_renewal_per_permit_is_kept_by_the_database(deps: Deps) -> None:
    _, number = _issued(deps)
    renewals.apply(deps, permit_number=number, actor=OFFICER)
    with deps.engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(
            renewal_table.insert().values(
                permit_number=number,
                status="pending",
                applied_on=date(2026, 3, 2),
                expires_after=date(2031, 3, 1),
                review_due=date(2026, 3, 22),
                late_by_days=0,
                updated_at=deps.clock.now(),
            )
        )


def test_expiry_skips_only_permits_an_in_time_renewal_keeps_in_force(deps: Deps, clock: ManualClock) -> None:
    _, in_time = _issued(deps)
    _, late = _issued(deps)
    clock.advance(timedelta(days=(date(2031, 3, 1) - date(2026, 3, 2)).days - 60))
    renewals.apply(deps, permit_number=in_time, actor=OFFICER)
    clock.advance(timedelta(days=1))
    renewals.apply(deps, permit_number=late, actor=OFFICER)
    assert expire_due(deps, clock.now() + timedelta(days=60)).permits == [late]
    assert permits.get(deps, permit_number=in_time).status is PermitStatus.ISSUED
