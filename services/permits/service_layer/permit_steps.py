"""One step of a permit's state machine inside an open transaction: lock, check, write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.permits.adapters import permit_repository as permit_repo
from services.permits.domain import events as ev
from services.permits.domain import permit as rules
from services.permits.domain.permit import Permit, PermitStatus
from services.permits.domain.values import Actor, identifier
from services.permits.service_layer.unit_of_work import Deps, Tx, transaction
from shared.errors import InvalidArgument

# How a reason completes "say why the permit is ...".
_PAST = {
    "reject": "rejected",
    "withdraw": "withdrawn",
    "suspend": "suspended",
    "reinstate": "reinstated",
    "revoke": "revoked",
}


def number_of(raw: str) -> str:
    """A permit number as typed: trimmed and upper-cased (numbers end in "P"), required."""
    return identifier("permit_number", raw)


def require_reason(actor: Actor, action: str) -> None:
    """INVALID_ARGUMENT unless the actor says why, for the actions that end or interrupt a permit."""
    if action in rules.REASON_REQUIRED and not actor.reason:
        raise InvalidArgument("actor.reason", f"required: say why the permit is {_PAST[action]}")


def step(
    tx: Tx,
    *,
    number: str,
    action: str,
    actor: Actor,
    target: Callable[[Permit], PermitStatus] | None = None,
    **changes: Any,
) -> tuple[Permit, Permit]:
    """Lock the permit, check `action` is legal from its state, write the new state; (before, after).

    `target` picks the new state when it depends on the permit (reinstatement); by default it is the
    transition table's. The row lock makes a concurrent step wait and then see this one's result.
    """
    require_reason(actor, action)
    before = permit_repo.get_or_raise(tx.conn, permit_number=number, for_update=True)
    status = target(before) if target else rules.next_status(before.status, action, number)
    permit_repo.update_status(
        tx.conn,
        permit_number=number,
        from_statuses=[before.status],
        status=status,
        actor=actor,
        now=tx.now,
        **changes,
    )
    return before, permit_repo.get_or_raise(tx.conn, permit_number=number)


def announced_step(
    deps: Deps, *, permit_number: str, action: str, actor: Actor, event: ev.PermitStepEvent
) -> Permit:
    """One step in its own transaction, announced by an event carrying the permit and who and why
    (reject, withdraw, revoke: their events say nothing more)."""
    number = number_of(permit_number)
    with transaction(deps) as tx:
        _, after = step(tx, number=number, action=action, actor=actor)
        tx.publish(after.uscc, event(after, actor))
        return after
