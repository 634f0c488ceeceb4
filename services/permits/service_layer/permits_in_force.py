"""Use cases of a permit in force: suspend, reinstate, revoke (renewal: renewals.py)."""

from __future__ import annotations

from services.permits.domain import events as ev
from services.permits.domain import permit as rules
from services.permits.domain.permit import Permit
from services.permits.domain.values import Actor
from services.permits.service_layer.permit_steps import announced_step, number_of, require_reason, step
from services.permits.service_layer.unit_of_work import Deps, Tx, transaction


def suspend_in(tx: Tx, *, permit_number: str, actor: Actor, case_id: str = "") -> Permit:
    """Suspend a valid permit inside an open transaction; PermitSuspended."""
    _, suspended = step(tx, number=permit_number, action="suspend", actor=actor)
    tx.publish(suspended.uscc, ev.PermitSuspended(suspended, actor, case_id=case_id))
    return suspended


def suspend(deps: Deps, *, permit_number: str, actor: Actor) -> Permit:
    """Suspend a valid permit (a reason is required)."""
    number = number_of(permit_number)
    require_reason(actor, "suspend")
    with transaction(deps) as tx:
        return suspend_in(tx, permit_number=number, actor=actor)


def reinstate(deps: Deps, *, permit_number: str, actor: Actor) -> Permit:
    """suspended -> issued (renewed if it had been renewed), only within validity; PermitReinstated
    carries the outlet limits, so monitoring can make them thresholds again."""
    number = number_of(permit_number)
    with transaction(deps) as tx:
        _, permit = step(
            tx,
            number=number,
            action="reinstate",
            actor=actor,
            target=lambda before: rules.reinstated_status(before, tx.today),
        )
        tx.publish(
            permit.uscc,
            ev.PermitReinstated(permit, actor),
        )
        return permit


def revoke(deps: Deps, *, permit_number: str, actor: Actor) -> Permit:
    """Revoke a permit in force (or suspended); PermitRevoked (a reason is required)."""
    return announced_step(
        deps, permit_number=permit_number, action="revoke", actor=actor, event=ev.PermitRevoked
    )
