"""What other services tell risk: the registry (permits), exceedances (monitoring), penalties
(enforcement). Each handler runs in the consumer's dedup transaction, and each fact is keyed, so a
replayed event changes nothing."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from services.risk.adapters import assessment_repository as repo
from services.risk.domain import events as ev
from services.risk.domain.records import Enterprise
from services.risk.domain.score import Event, Signal
from services.risk.service_layer import enterprise_risk
from services.risk.service_layer.unit_of_work import Deps, transaction


def registry_changed(deps: Deps, conn: Connection, *, enterprise: Enterprise) -> None:
    """Record what the registry says of an enterprise (its town and location)."""
    with transaction(deps, conn) as tx:
        repo.upsert_enterprise(tx.conn, enterprise_in=enterprise, now=tx.now)


def exceedance_detected(deps: Deps, conn: Connection, *, uscc: str, event: Event) -> None:
    """An exceedance at an enterprise's outlet raises its score (not its level)."""
    if not uscc:
        return  # a river section's exceedance belongs to no enterprise
    with transaction(deps, conn) as tx:
        repo.add_signal(tx.conn, uscc=uscc, event=event)


def penalty_decided(deps: Deps, conn: Connection, *, uscc: str, event: Event) -> None:
    """A penalty raises the score and, for 3 years, the level one step (HJ 941-2018 clause 8.2)."""
    if not uscc:
        return
    with transaction(deps, conn) as tx:
        if repo.add_signal(tx.conn, uscc=uscc, event=Event(Signal.PENALTY, event.at, event.ref, event.note)):
            enterprise_risk.refresh(tx, uscc=uscc, cause=ev.ChangeCause.PENALTY, source_ref=event.ref)
