"""Use cases of emergencies: declare (and dispatch in the same step), regrade, close; every change
also goes to the departments' notification log in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from services.risk.adapters import assessment_repository as registry_repo
from services.risk.adapters import emergency_repository as repo
from services.risk.domain import emergencies as rules
from services.risk.domain import events as ev
from services.risk.domain.emergencies import Emergency, EmergencyStatus
from services.risk.domain.notifications import ROMAN, Notification, NotificationKind
from services.risk.domain.records import DispatchOrder
from services.risk.domain.supplies import Amount, merge, needs_for
from services.risk.domain.values import Actor, GeoPoint, text
from services.risk.service_layer import dispatching
from services.risk.service_layer.unit_of_work import Deps, transaction
from shared import paging
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc


def declare(
    deps: Deps,
    *,
    title: str,
    kind: str,
    grade: int,
    location: GeoPoint,
    radius_m: float,
    uscc: str,
    description: str,
    needs: list[Amount],
    max_distance_m: float,
    occurred_at: datetime | None,
    actor: Actor,
) -> tuple[Emergency, DispatchOrder]:
    """Declare an emergency and dispatch its needs (declared, else the needs table's for its kind
    and grade) in the same transaction (EmergencyDeclared, SuppliesDispatched)."""
    code = validate_uscc(uscc, field="uscc") if uscc else ""
    reach_m = dispatching.reach(deps, max_distance_m)
    grade = rules.grade_or_raise("grade", grade)
    wanted = merge(needs) if needs else needs_for(kind, grade)
    with transaction(deps) as tx:
        known = registry_repo.get_enterprise(tx.conn, uscc=code) if code else None
        emergency = rules.new_emergency(
            emergency_id=str(uuid.uuid4()),
            title=title,
            kind=kind,
            grade=grade,
            location=location,
            radius_m=radius_m,
            town=known.town if known else "",
            uscc=code,
            description=description,
            needs=tuple(wanted),
            occurred_at=occurred_at or tx.now,
            actor=actor,
            now=tx.now,
        )
        repo.create(tx.conn, emergency_in=emergency)
        tx.publish(emergency.subject, ev.EmergencyDeclared(emergency))
        repo.append_notification(
            tx.conn,
            kind=NotificationKind.DECLARED,
            emergency=emergency,
            text=f"Grade {ROMAN[grade]} {kind.replace('_', ' ')} declared: {emergency.title}",
            at=tx.now,
        )
        order = dispatching.dispatch_in(tx, emergency, wanted, reach_m, actor)
        emergency = repo.get_or_raise(tx.conn, emergency_id=emergency.emergency_id)
    return emergency, order


def get(deps: Deps, *, emergency_id: str) -> Emergency:
    """One emergency."""
    with deps.engine.connect() as conn:
        return repo.get_or_raise(conn, emergency_id=emergency_id)


def get_all(
    deps: Deps, *, statuses: list[EmergencyStatus], town: str, uscc: str, page_size: int, page_token: str
) -> paging.Page[Emergency]:
    """Emergencies by filters."""
    code = validate_uscc(uscc, field="uscc") if uscc else ""
    with deps.engine.connect() as conn:
        return repo.get_all(
            conn, statuses=statuses, town=town, uscc=code, page_size=page_size, page_token=page_token
        )


def regrade(deps: Deps, *, emergency_id: str, grade: int, reason: str, actor: Actor) -> Emergency:
    """A new grade with its reason (EmergencyRegraded)."""
    why = text("reason", reason, max_len=1000, free_text=True)
    with transaction(deps) as tx:
        current = repo.get_or_raise(tx.conn, emergency_id=emergency_id, for_update=True)
        updated = rules.regrade(current, grade)
        repo.update(tx.conn, emergency_in=updated)
        tx.publish(updated.subject, ev.EmergencyRegraded(updated, current.grade, why))
        repo.append_notification(
            tx.conn,
            kind=NotificationKind.REGRADED,
            emergency=updated,
            text=f"{updated.title}: grade {ROMAN[current.grade]} -> {ROMAN[updated.grade]} ({why})",
            at=tx.now,
        )
    return updated


def close(deps: Deps, *, emergency_id: str, summary: str, actor: Actor) -> Emergency:
    """Close an emergency with its summary (EmergencyClosed)."""
    with transaction(deps) as tx:
        current = repo.get_or_raise(tx.conn, emergency_id=emergency_id, for_update=True)
        closed = rules.close(current, summary=summary, now=tx.now)
        repo.update(tx.conn, emergency_in=closed)
        tx.publish(closed.subject, ev.EmergencyClosed(closed))
        repo.append_notification(
            tx.conn, kind=NotificationKind.CLOSED, emergency=closed, text=f"{closed.title} closed", at=tx.now
        )
    return closed


def notifications_after(deps: Deps, *, position: int, limit: int = 100) -> list[Notification]:
    """Notifications after a position, in order (a page of the stream)."""
    if position < 0:
        raise InvalidArgument("after_position", f"must not be negative, got {position}")
    with deps.engine.connect() as conn:
        return repo.notifications_after(conn, position=position, limit=limit)
