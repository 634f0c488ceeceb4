"""Queries of permit renewal applications (permit_renewals)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.permits.adapters.actors import actor_of, actor_values
from services.permits.adapters.tables import permit_renewals, permits
from services.permits.domain.renewal import Renewal, RenewalApplication, RenewalStatus
from services.permits.domain.values import Actor

PENDING = str(RenewalStatus.PENDING)


def _renewal(row: Any) -> Renewal:
    return Renewal(
        permit_number=row.permit_number,
        application=RenewalApplication(row.applied_on, row.expires_after, row.review_due),
        status=RenewalStatus(row.status),
        decided_on=row.decided_on,
        gap_days=row.gap_days,
        last_action=actor_of(row),
    )


def create(
    conn: Connection, *, permit_number: str, application_in: RenewalApplication, actor: Actor, now: datetime
) -> Renewal:
    """Record an application under review."""
    conn.execute(
        permit_renewals.insert().values(
            permit_number=permit_number,
            status=PENDING,
            applied_on=application_in.applied_on,
            expires_after=application_in.expires_after,
            review_due=application_in.review_due,
            late_by_days=application_in.late_by_days,
            updated_at=now,
            **actor_values(actor),
        )
    )
    return Renewal(permit_number, application_in, RenewalStatus.PENDING, None, 0, actor)


def get_pending(conn: Connection, *, permit_number: str) -> Renewal | None:
    """The application under review for this permit, if any (callers hold the permit's row lock)."""
    row = conn.execute(
        sa.select(permit_renewals).where(
            permit_renewals.c.permit_number == permit_number, permit_renewals.c.status == PENDING
        )
    ).first()
    return _renewal(row) if row else None


def get_pending_of_enterprise(conn: Connection, *, uscc: str) -> Renewal | None:
    """An application under review for any of the enterprise's permits, if any."""
    row = conn.execute(
        sa.select(permit_renewals)
        .join(permits, permits.c.permit_number == permit_renewals.c.permit_number)
        .where(permits.c.uscc == uscc, permit_renewals.c.status == PENDING)
        .limit(1)
    ).first()
    return _renewal(row) if row else None


def decide(
    conn: Connection,
    *,
    permit_number: str,
    status: RenewalStatus,
    decided_on: date,
    gap_days: int,
    actor: Actor,
    now: datetime,
) -> bool:
    """Close the pending application with a decision; False if none was pending."""
    result = conn.execute(
        sa.update(permit_renewals)
        .where(permit_renewals.c.permit_number == permit_number, permit_renewals.c.status == PENDING)
        .values(
            status=str(status),
            decided_on=decided_on,
            gap_days=gap_days,
            updated_at=now,
            **actor_values(actor),
        )
    )
    return result.rowcount == 1


def latest_of(conn: Connection, numbers: Iterable[str]) -> dict[str, Renewal]:
    """The latest application of each permit that has one."""
    wanted = list(numbers)
    if not wanted:
        return {}
    rows = conn.execute(
        sa.select(permit_renewals)
        .where(permit_renewals.c.permit_number.in_(wanted))
        .order_by(permit_renewals.c.permit_number, permit_renewals.c.id)
    ).all()
    # Ordered by id within a permit: the last row read is the latest.
    return {row.permit_number: _renewal(row) for row in rows}


def kept_in_force() -> sa.ColumnElement[bool]:
    """SQL: the permit (of the `permits` table) has an application made in time under review, which
    keeps it in force past its term until the decision (行政许可法 art. 50; domain/renewal.py)."""
    return sa.exists().where(
        permit_renewals.c.permit_number == permits.c.permit_number,
        permit_renewals.c.status == PENDING,
        permit_renewals.c.late_by_days == 0,
    )
