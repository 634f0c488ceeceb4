"""Keeping the public read model current from permits' and evaluation's events.

Each function runs inside the consumer's transaction (shared EventConsumer), which has already
claimed the event id, so a redelivered event changes nothing.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from services.codes.adapters.repository import StatusRepository
from services.codes.domain import status as rules
from services.codes.service_layer import codes
from services.codes.service_layer.context import Context
from shared.unit_of_work import transaction


def record_profile(conn: Connection, ctx: Context, fact: rules.ProfileFact, *, registered: bool) -> None:
    """Apply a registry event; a registration also issues the enterprise's first code (one per enterprise)."""
    repo = StatusRepository(conn)
    repo.save(status_in=rules.apply_profile(repo.lock(uscc=fact.uscc), fact))
    if registered:
        with transaction(ctx, conn) as tx:
            codes.ensure_code(tx, ctx, uscc=fact.uscc)


def record_permit(conn: Connection, fact: rules.PermitFact) -> None:
    """Apply a permit event (issued, renewed, expired, revoked)."""
    repo = StatusRepository(conn)
    repo.save(status_in=rules.apply_permit(repo.lock(uscc=fact.uscc), fact))


def record_credit(conn: Connection, fact: rules.CreditFact) -> None:
    """Apply a credit change, so the page and the next printed code show the new colour."""
    repo = StatusRepository(conn)
    repo.save(status_in=rules.apply_credit(repo.lock(uscc=fact.uscc), fact))
