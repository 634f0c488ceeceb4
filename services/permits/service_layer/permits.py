"""Use cases of a permit application: apply, review, issue, reject, withdraw; and the reads."""

from __future__ import annotations

from datetime import date, timedelta

from services.permits.adapters import permit_repository as permit_repo
from services.permits.adapters import renewal_repository as renewal_repo
from services.permits.adapters import repository as registry_repo
from services.permits.domain import events as ev
from services.permits.domain import permit as rules
from services.permits.domain import renewal as renewal_rules
from services.permits.domain.permit import LIVE, VALID, OutletLimits, Permit, PermitStatus
from services.permits.domain.values import Actor, valid_from_in_force
from services.permits.service_layer.permit_steps import announced_step, number_of, step
from services.permits.service_layer.unit_of_work import Deps, Tx, transaction
from shared import china_time, paging
from shared.errors import FailedPrecondition, InvalidArgument
from shared.uscc import validate_uscc


def _known_outlets(tx: Tx, uscc: str) -> dict[str, rules.OutletKind]:
    return {o.outlet_id: o.kind for o in registry_repo.get_outlets(tx.conn, uscc=uscc)}


def apply(
    deps: Deps, *, uscc: str, outlets_in: list[OutletLimits], applied_on: date | None, actor: Actor
) -> Permit:
    """Record an application with its requested limits; the number is assigned here."""
    code = validate_uscc(uscc)
    with transaction(deps) as tx:
        day = applied_on or tx.today
        if day > tx.today:
            raise InvalidArgument("applied_on", f"{day} is in the future (today is {tx.today})")
        # Locking the enterprise serialises applications (and their numbers) per enterprise.
        enterprise = registry_repo.get_or_raise(tx.conn, uscc=code, for_update=True)
        rules.check_may_apply(enterprise.fields.permit_class)
        limits = rules.validate_outlet_limits(outlets_in, _known_outlets(tx, code), required=True)
        live = permit_repo.live_for(tx.conn, uscc=code, statuses=LIVE)
        if live:
            raise FailedPrecondition(
                f"enterprise {code} already has permit {live[0].permit_number} ({live[0].status}); "
                "renew it or end it before applying again"
            )
        # A lapsed permit's late renewal may still be granted (renewals.grant): decide it first.
        pending = renewal_repo.get_pending_of_enterprise(tx.conn, uscc=code)
        if pending is not None:
            raise FailedPrecondition(
                f"enterprise {code}: the renewal of permit {pending.permit_number} is under review;"
                " grant or refuse it before applying again"
            )
        number = rules.permit_number(code, permit_repo.count_for(tx.conn, uscc=code) + 1)
        permit = Permit(
            number,
            code,
            PermitStatus.APPLIED,
            enterprise.fields.permit_class,
            limits,
            day,
            None,
            None,
            0,
            actor,
            tx.now,
        )
        permit_repo.create(tx.conn, permit_in=permit)
    return permit


def start_review(deps: Deps, *, permit_number: str, actor: Actor) -> Permit:
    """applied -> under review."""
    number = number_of(permit_number)
    with transaction(deps) as tx:
        return step(tx, number=number, action="start_review", actor=actor)[1]


def issue(
    deps: Deps,
    *,
    permit_number: str,
    valid_from: date | None,
    outlets_in: list[OutletLimits],
    actor: Actor,
) -> Permit:
    """under review -> issued for 5 years; PermitIssued carries the limits monitoring enforces."""
    number = number_of(permit_number)
    with transaction(deps) as tx:
        permit = permit_repo.get_or_raise(tx.conn, permit_number=number, for_update=True)
        status = rules.next_status(permit.status, "issue", number)
        start, until = rules.validity(valid_from_in_force(valid_from or tx.today, tx.today))
        if start < permit.applied_on:
            raise InvalidArgument("valid_from", f"{start} is before the application on {permit.applied_on}")
        if rules.is_due_to_expire(until, tx.today):
            raise InvalidArgument(
                "valid_from", f"a term from {start} would have ended on {until}, before today"
            )
        if outlets_in:
            limits = rules.validate_outlet_limits(outlets_in, _known_outlets(tx, permit.uscc), required=True)
            permit_repo.replace_limits(tx.conn, permit_number=number, outlets_in=limits)
        permit_repo.update_status(
            tx.conn,
            permit_number=number,
            from_statuses=[permit.status],
            status=status,
            actor=actor,
            now=tx.now,
            valid_from=start,
            valid_until=until,
        )
        issued = permit_repo.get_or_raise(tx.conn, permit_number=number)
        tx.publish(
            issued.uscc,
            ev.PermitIssued(issued, actor),
        )
        return issued


def reject(deps: Deps, *, permit_number: str, actor: Actor) -> Permit:
    """under review -> rejected (terminal; the enterprise may apply again); PermitRejected."""
    return announced_step(
        deps, permit_number=permit_number, action="reject", actor=actor, event=ev.PermitRejected
    )


def withdraw(deps: Deps, *, permit_number: str, actor: Actor) -> Permit:
    """applied or under review -> withdrawn (terminal; the enterprise may apply again); PermitWithdrawn."""
    return announced_step(
        deps, permit_number=permit_number, action="withdraw", actor=actor, event=ev.PermitWithdrawn
    )


def get(deps: Deps, *, permit_number: str) -> Permit:
    """One permit, or NOT_FOUND."""
    number = number_of(permit_number)
    with deps.engine.connect() as conn:
        return permit_repo.get_or_raise(conn, permit_number=number)


def get_all(
    deps: Deps,
    *,
    uscc: str = "",
    status: PermitStatus | None = None,
    page_size: int = 0,
    page_token: str = "",
) -> paging.Page[Permit]:
    """Permits by enterprise and state."""
    code = validate_uscc(uscc) if uscc else ""
    with deps.engine.connect() as conn:
        return permit_repo.get_all(conn, uscc=code, status=status, page_size=page_size, page_token=page_token)


def expiring(
    deps: Deps, *, start: date | None, end: date | None, page_size: int = 0, page_token: str = ""
) -> paging.Page[Permit]:
    """Permits in force whose validity ends between start and end (defaults: today .. +60 days, the
    art. 14 renewal deadline's distance)."""
    today = china_time.local_day(deps.clock.now())
    first = start or today
    last = end or first + timedelta(days=renewal_rules.APPLY_DAYS_BEFORE_EXPIRY)
    if last < first:
        raise InvalidArgument("to", f"{last} is before from {first}")
    with deps.engine.connect() as conn:
        return permit_repo.get_all(
            conn,
            statuses=VALID,
            valid_until_from=first,
            valid_until_to=last,
            page_size=page_size,
            page_token=page_token,
        )
