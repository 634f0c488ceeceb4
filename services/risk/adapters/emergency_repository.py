"""Queries of emergencies and their notification log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.risk.adapters.tables import emergencies, notification_counter, notifications
from services.risk.domain.emergencies import Emergency, EmergencyStatus
from services.risk.domain.notifications import Notification, NotificationKind
from services.risk.domain.supplies import Amount
from services.risk.domain.values import Actor, GeoPoint
from shared import paging
from shared.errors import NotFound


def _values(e: Emergency) -> dict[str, Any]:
    return dict(
        title=e.title,
        kind=e.kind,
        grade=e.grade,
        lat=e.location.lat,
        lon=e.location.lon,
        radius_m=e.radius_m,
        town=e.town,
        uscc=e.uscc,
        description=e.description,
        status=e.status.value,
        needs=[{"item_code": a.item_code, "quantity": a.quantity} for a in e.needs],
        dispatch_ids=list(e.dispatch_ids),
        declared_at=e.declared_at,
        declared_by_department=e.declared_by.department,
        declared_by_user=e.declared_by.user,
        declared_by_reason=e.declared_by.reason,
        closed_at=e.closed_at,
        summary=e.summary,
    )


def _emergency(row: Any) -> Emergency:
    return Emergency(
        emergency_id=row.emergency_id,
        title=row.title,
        kind=row.kind,
        grade=row.grade,
        location=GeoPoint(row.lat, row.lon),
        radius_m=row.radius_m,
        town=row.town,
        uscc=row.uscc,
        description=row.description,
        status=EmergencyStatus(row.status),
        needs=tuple(Amount(n["item_code"], n["quantity"]) for n in row.needs),
        declared_at=row.declared_at,
        declared_by=Actor(row.declared_by_department, row.declared_by_user, row.declared_by_reason),
        dispatch_ids=tuple(row.dispatch_ids),
        closed_at=row.closed_at,
        summary=row.summary,
    )


def create(conn: Connection, *, emergency_in: Emergency) -> None:
    """Insert an emergency."""
    conn.execute(emergencies.insert().values(emergency_id=emergency_in.emergency_id, **_values(emergency_in)))


def update(conn: Connection, *, emergency_in: Emergency) -> None:
    """Write an emergency's new state."""
    conn.execute(
        emergencies.update()
        .where(emergencies.c.emergency_id == emergency_in.emergency_id)
        .values(**_values(emergency_in))
    )


def get_or_raise(conn: Connection, *, emergency_id: str, for_update: bool = False) -> Emergency:
    """One emergency, or NOT_FOUND."""
    query = sa.select(emergencies).where(emergencies.c.emergency_id == emergency_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFound("emergency", emergency_id)
    return _emergency(row)


def get_all(
    conn: Connection,
    *,
    statuses: list[EmergencyStatus],
    town: str,
    uscc: str,
    page_size: int,
    page_token: str,
) -> paging.Page[Emergency]:
    """Emergencies by filters, by id."""
    size = paging.page_size(page_size)
    where: list[Any] = []
    if statuses:
        where.append(emergencies.c.status.in_([s.value for s in statuses]))
    if town:
        where.append(emergencies.c.town == town)
    if uscc:
        where.append(emergencies.c.uscc == uscc)
    total = conn.execute(sa.select(sa.func.count()).select_from(emergencies).where(*where)).scalar_one()
    after = paging.decode(page_token)
    if after:
        where.append(emergencies.c.emergency_id > after)
    rows = conn.execute(
        sa.select(emergencies).where(*where).order_by(emergencies.c.emergency_id).limit(size + 1)
    ).all()
    return paging.slice_page([_emergency(r) for r in rows], size, lambda e: e.emergency_id, total)


# -------------------------------------------------------------------------------- notifications
def append_notification(
    conn: Connection, *, kind: NotificationKind, emergency: Emergency, text: str, at: datetime
) -> int:
    """Append a notification at the next position. The counter row is taken FOR UPDATE, so writers
    queue and positions become visible in order with no gap: a reader that saw position n has seen
    every position below n, and one resuming after n misses nothing."""
    last = conn.execute(
        sa.select(notification_counter.c.last_position)
        .where(notification_counter.c.id == 1)
        .with_for_update()
    ).scalar_one()
    position = int(last) + 1
    conn.execute(
        notification_counter.update().where(notification_counter.c.id == 1).values(last_position=position)
    )
    conn.execute(
        notifications.insert().values(
            position=position,
            kind=kind.value,
            emergency_id=emergency.emergency_id,
            snapshot=_values(emergency)
            | {
                "declared_at": emergency.declared_at.isoformat(),
                "closed_at": emergency.closed_at.isoformat() if emergency.closed_at else None,
            },
            text=text,
            at=at,
        )
    )
    return position


def notifications_after(conn: Connection, *, position: int, limit: int = 100) -> list[Notification]:
    """Notifications after a position, in order."""
    rows = conn.execute(
        sa.select(notifications)
        .where(notifications.c.position > position)
        .order_by(notifications.c.position)
        .limit(limit)
    ).all()
    out = []
    for r in rows:
        s = r.snapshot
        out.append(
            Notification(
                position=r.position,
                kind=NotificationKind(r.kind),
                emergency_id=r.emergency_id,
                title=s["title"],
                grade=s["grade"],
                status=EmergencyStatus(s["status"]),
                location=GeoPoint(s["lat"], s["lon"]),
                town=s["town"],
                uscc=s["uscc"],
                text=r.text,
                at=r.at,
            )
        )
    return out
