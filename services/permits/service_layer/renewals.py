"""Use cases of a permit's renewal (排污许可管理条例 art. 14): apply, then grant or refuse.

The rules (deadline, lateness, review limit, renewed term, gap, what happens at expiry) are in
domain/renewal.py; here each step locks the permit's row, so an application, its decision and the
expiry scheduler take turns on one permit.
"""

from __future__ import annotations

from services.permits.adapters import permit_repository as permit_repo
from services.permits.adapters import renewal_repository as renewal_repo
from services.permits.domain import events as ev
from services.permits.domain import permit as rules
from services.permits.domain import renewal as renewal_rules
from services.permits.domain.permit import LIVE, VALID, Permit, PermitStatus
from services.permits.domain.renewal import Renewal, RenewalStatus
from services.permits.domain.values import Actor
from services.permits.service_layer.permit_steps import number_of
from services.permits.service_layer.unit_of_work import Deps, Tx, transaction
from shared.errors import FailedPrecondition, InvalidArgument


def _pending_or_raise(tx: Tx, permit: Permit) -> Renewal:
    pending = renewal_repo.get_pending(tx.conn, permit_number=permit.permit_number)
    if pending is None:
        raise FailedPrecondition(
            f"permit {permit.permit_number}: no renewal application under review (ApplyPermitRenewal first)"
        )
    return pending


def apply(deps: Deps, *, permit_number: str, actor: Actor) -> Permit:
    """Record a renewal application for a permit in force, flagged late when made later than 60
    days before expiry; PermitRenewalApplied. One application under review at a time."""
    number = number_of(permit_number)
    with transaction(deps) as tx:
        permit = permit_repo.get_or_raise(tx.conn, permit_number=number, for_update=True)
        if permit.status not in VALID:
            raise FailedPrecondition(
                f"permit {number}: cannot apply for renewal of a permit that is {permit.status}"
                f" (only from {', '.join(sorted(VALID))})"
            )
        pending = renewal_repo.get_pending(tx.conn, permit_number=number)
        if pending is not None:
            raise FailedPrecondition(
                f"permit {number}: the renewal applied for on {pending.application.applied_on}"
                " is under review"
            )
        assert permit.valid_until is not None  # a permit in force has a term
        application = renewal_rules.apply_for_renewal(number, permit.valid_until, tx.today)
        renewal = renewal_repo.create(
            tx.conn, permit_number=number, application_in=application, actor=actor, now=tx.now
        )
        applied = permit_repo.get_or_raise(tx.conn, permit_number=number)
        tx.publish(applied.uscc, ev.PermitRenewalApplied(applied, renewal, actor))
        return applied


def grant(deps: Deps, *, permit_number: str, actor: Actor) -> Permit:
    """Grant the renewal under review: 5 years from the day after the old term's end; PermitRenewed.

    From expired too, for a late application whose permit lapsed: the days without a permit are
    the gap, reported on the renewal and the event.
    """
    number = number_of(permit_number)
    with transaction(deps) as tx:
        before = permit_repo.get_or_raise(tx.conn, permit_number=number, for_update=True)
        status = rules.next_status(before.status, "renew", number)
        pending = _pending_or_raise(tx, before)
        lapsed = before.status is PermitStatus.EXPIRED
        if lapsed:
            # Once lapsed the enterprise could apply for a new permit; it cannot hold two.
            others = permit_repo.live_for(tx.conn, uscc=before.uscc, statuses=LIVE)
            if others:
                raise FailedPrecondition(
                    f"enterprise {before.uscc} already has permit {others[0].permit_number}"
                    f" ({others[0].status}); refuse this renewal instead"
                )
        start, until, gap = renewal_rules.granted_term(pending.application, tx.today, lapsed=lapsed)
        permit_repo.update_status(
            tx.conn,
            permit_number=number,
            from_statuses=[before.status],
            status=status,
            actor=actor,
            now=tx.now,
            valid_from=start,
            valid_until=until,
            renewals=before.renewals + 1,
        )
        renewal_repo.decide(
            tx.conn,
            permit_number=number,
            status=RenewalStatus.GRANTED,
            decided_on=tx.today,
            gap_days=gap,
            actor=actor,
            now=tx.now,
        )
        renewed = permit_repo.get_or_raise(tx.conn, permit_number=number)
        assert renewed.latest_renewal is not None
        tx.publish(renewed.uscc, ev.PermitRenewed(renewed, renewed.latest_renewal, actor, before.status))
        return renewed


def refuse(deps: Deps, *, permit_number: str, actor: Actor) -> Permit:
    """Refuse the renewal under review (a reason is required); PermitRenewalRefused.

    A permit that an application made in time kept in force past its term expires with the refusal
    (PermitExpired in the same commit), rather than waiting for the scheduler's next pass.
    """
    number = number_of(permit_number)
    if not actor.reason:
        raise InvalidArgument("actor.reason", "required: say why the renewal is refused")
    with transaction(deps) as tx:
        before = permit_repo.get_or_raise(tx.conn, permit_number=number, for_update=True)
        _pending_or_raise(tx, before)
        renewal_repo.decide(
            tx.conn,
            permit_number=number,
            status=RenewalStatus.REFUSED,
            decided_on=tx.today,
            gap_days=0,
            actor=actor,
            now=tx.now,
        )
        refused = permit_repo.get_or_raise(tx.conn, permit_number=number)
        assert refused.latest_renewal is not None
        tx.publish(refused.uscc, ev.PermitRenewalRefused(refused, refused.latest_renewal, actor))
        expirable = rules.TRANSITIONS["expire"][0]
        ended = before.valid_until is not None and rules.is_due_to_expire(before.valid_until, tx.today)
        if before.status in expirable and ended:
            permit_repo.update_status(
                tx.conn,
                permit_number=number,
                from_statuses=[before.status],
                status=PermitStatus.EXPIRED,
                actor=actor,
                now=tx.now,
            )
            tx.publish(refused.uscc, ev.PermitExpired(refused))
            refused = permit_repo.get_or_raise(tx.conn, permit_number=number)
        return refused
