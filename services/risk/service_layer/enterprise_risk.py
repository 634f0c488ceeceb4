"""An enterprise's effective risk level and dynamic score, and the one place its level changes.

Every use case that may move a level (an assessment, a hazard lapsing or closing, a penalty) calls
`refresh` in its own transaction: it locks the enterprise's risk row, recomputes the level from the
stored facts, writes it, and publishes RiskLevelChanged when it moved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from services.risk.adapters import assessment_repository as repo
from services.risk.adapters import hazard_repository as hazard_repo
from services.risk.domain import events as ev
from services.risk.domain import score as sc
from services.risk.domain.records import EnterpriseRisk
from services.risk.domain.score import Signal
from services.risk.service_layer.unit_of_work import Deps, Tx
from shared import paging
from shared.errors import NotFound


def _compute(conn: Connection, row: object, uscc: str, now: datetime) -> EnterpriseRisk:
    assessed = repo.level_of(getattr(row, "assessed_level", None))
    open_count, overdue = hazard_repo.counts(conn, uscc=uscc)
    signals = repo.signals_of(conn, uscc=uscc)
    penalties = [(s.ref, s.at) for s in signals if s.signal is Signal.PENALTY]
    adjustments = sc.adjustments(
        overdue_hazards=overdue,
        penalties=penalties,
        assessment_counted_penalty=bool(getattr(row, "counted_penalty", False)),
        now=now,
    )
    return EnterpriseRisk(
        uscc=uscc,
        level=sc.effective_level(assessed, adjustments),
        assessed_level=assessed,
        adjustments=adjustments,
        latest_assessment_id=getattr(row, "latest_assessment_id", ""),
        code=getattr(row, "code", ""),
        open_hazards=open_count,
        overdue_hazards=len(overdue),
        town=getattr(row, "town", ""),
        updated_at=getattr(row, "updated_at", now),
        score=sc.score(assessed, signals, now),
    )


def refresh(tx: Tx, *, uscc: str, cause: ev.ChangeCause, source_ref: str, town: str = "") -> EnterpriseRisk:
    """Recompute the enterprise's level under its row lock; publish RiskLevelChanged if it moved."""
    known = repo.get_enterprise(tx.conn, uscc=uscc)
    row = repo.lock_enterprise(tx.conn, uscc=uscc, town=town or (known.town if known else ""), now=tx.now)
    risk = _compute(tx.conn, row, uscc, tx.now)
    previous = repo.level_of(row.level)
    if risk.level != previous:
        repo.save_risk(
            tx.conn, uscc=uscc, values=dict(level=int(risk.level) if risk.level else None, updated_at=tx.now)
        )
        tx.publish(uscc, ev.RiskLevelChanged(uscc, previous, risk.level, cause, source_ref, risk.town))
    return risk


def get(deps: Deps, *, uscc: str) -> EnterpriseRisk:
    """The enterprise's current risk, or NOT_FOUND if risk knows nothing of it."""
    with deps.engine.connect() as conn:
        row = repo.risk_row(conn, uscc=uscc)
        if row is None and repo.get_enterprise(conn, uscc=uscc) is None:
            raise NotFound("enterprise risk", uscc)
        return _compute(conn, row, uscc, deps.clock.now())


def get_all(
    deps: Deps, *, levels: list[int], town: str, overdue_only: bool, page_size: int, page_token: str
) -> paging.Page[EnterpriseRisk]:
    """Enterprises with a level, by filters, a page at a time."""
    with deps.engine.connect() as conn:
        page = repo.risk_rows(
            conn,
            levels=levels,
            town=town,
            overdue_only=overdue_only,
            page_size=page_size,
            page_token=page_token,
        )
        now = deps.clock.now()
        return paging.Page([_compute(conn, r, r.uscc, now) for r in page.items], page.next_token, page.total)
