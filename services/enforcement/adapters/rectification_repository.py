"""Queries of rectification deadlines: decided cases past their rectification date, and the claim
that announces each lapse once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.enforcement.adapters.tables import cases, rectification_lapses
from services.enforcement.domain.case import Stage
from shared.db import insert_if_absent


def lapsed_ids(conn: Connection, now: datetime, limit: int = 200) -> list[str]:
    """Decided (not yet rectified) cases whose deadline has passed, oldest first.

    A DECIDED case's stage deadline is its decision's rectification date (cases.decide_case), so the
    indexed `due_at` finds them; the caller checks the decision's own date before announcing.
    """
    return list(
        conn.execute(
            sa.select(cases.c.case_id)
            .where(cases.c.stage == Stage.DECIDED.value, cases.c.due_at < now)
            .order_by(cases.c.due_at)
            .limit(limit)
        ).scalars()
    )


def claim_lapse(conn: Connection, case_id: str, rectify_by: datetime, at: datetime) -> bool:
    """Claim the announcement of one lapsed rectification date; False if it was announced already."""
    return insert_if_absent(
        conn,
        rectification_lapses,
        key=("case_id", "rectify_by"),
        values=dict(case_id=case_id, rectify_by=rectify_by, announced_at=at),
    )
