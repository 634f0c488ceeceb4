"""Use cases of hidden hazards, and the overdue sweep the periodic worker runs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from services.risk.adapters import assessment_repository as registry_repo
from services.risk.adapters import hazard_repository as repo
from services.risk.domain import events as ev
from services.risk.domain import hazards as rules
from services.risk.domain.hazards import Hazard, HazardGrade, HazardSource, HazardStatus
from services.risk.domain.score import Event, Signal
from services.risk.domain.values import Actor, GeoPoint
from services.risk.service_layer import enterprise_risk
from services.risk.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.uscc import validate_uscc


def report(
    deps: Deps,
    *,
    uscc: str,
    title: str,
    description: str,
    grade: HazardGrade | None,
    source: HazardSource | None,
    location: GeoPoint | None,
    found_at: datetime | None,
    rectify_by: datetime | None,
    required_measures: str,
    actor: Actor,
) -> Hazard:
    """Record a hazard with its deadline (HazardReported); location and town default to the registry's."""
    code = validate_uscc(uscc, field="uscc")
    with transaction(deps) as tx:
        known = registry_repo.get_enterprise(tx.conn, uscc=code)
        hazard = rules.new_hazard(
            hazard_id=str(uuid.uuid4()),
            uscc=code,
            title=title,
            description=description,
            grade=grade,
            source=source,
            location=location or (known.location if known else None),
            town=known.town if known else "",
            found_at=found_at or tx.now,
            found_by=actor,
            rectify_by=rectify_by,
            required_measures=required_measures,
            now=tx.now,
        )
        repo.create(tx.conn, hazard_in=hazard)
        tx.publish(code, ev.HazardReported(hazard))
        # A deadline already past when reported lapses at once, in this transaction.
        if hazard.is_due_to_lapse(tx.now):
            hazard = _lapse(tx, hazard)
    return hazard


def get(deps: Deps, *, hazard_id: str) -> Hazard:
    """One hazard."""
    with deps.engine.connect() as conn:
        return repo.get_or_raise(conn, hazard_id=hazard_id)


def get_all(
    deps: Deps,
    *,
    uscc: str,
    statuses: list[HazardStatus],
    grade: HazardGrade | None,
    town: str,
    overdue_only: bool,
    page_size: int,
    page_token: str,
) -> paging.Page[Hazard]:
    """Hazards by filters."""
    code = validate_uscc(uscc, field="uscc") if uscc else ""
    with deps.engine.connect() as conn:
        return repo.get_all(
            conn,
            uscc=code,
            statuses=statuses,
            grade=grade,
            town=town,
            overdue_only=overdue_only,
            page_size=page_size,
            page_token=page_token,
        )


def _change(deps: Deps, hazard_id: str, step: Callable[[Hazard, datetime], Hazard]) -> Hazard:
    """Apply one rule step to the hazard under its row lock and announce the result."""
    with transaction(deps) as tx:
        current = repo.get_or_raise(tx.conn, hazard_id=hazard_id, for_update=True)
        updated = step(current, tx.now)
        repo.update(tx.conn, hazard_in=updated)
        if updated.status is HazardStatus.CLOSED:
            tx.publish(updated.uscc, ev.HazardClosed(updated))
            if updated.lapsed_deadline is not None:
                registry_repo.end_signal(
                    tx.conn, signal=Signal.OVERDUE_HAZARD, ref=updated.hazard_id, at=tx.now
                )
        else:
            tx.publish(updated.uscc, ev.HazardUpdated(updated, current.status))
        if current.overdue != updated.overdue:
            cause = ev.ChangeCause.HAZARD_OVERDUE if updated.overdue else ev.ChangeCause.HAZARD_CLOSED
            enterprise_risk.refresh(tx, uscc=updated.uscc, cause=cause, source_ref=updated.hazard_id)
    return updated


def extend(deps: Deps, *, hazard_id: str, rectify_by: datetime | None, reason: str, actor: Actor) -> Hazard:
    """Move an open hazard's deadline later, once, with a reason (HazardUpdated)."""
    return _change(
        deps,
        hazard_id,
        lambda h, now: rules.extend(h, rectify_by=rectify_by, reason=reason, actor=actor, now=now),
    )


def record_rectification(
    deps: Deps,
    *,
    hazard_id: str,
    measures: str,
    evidence_refs: list[str],
    completed_at: datetime | None,
    actor: Actor,
) -> Hazard:
    """The enterprise reports the hazard rectified with its evidence (HazardUpdated)."""
    return _change(
        deps,
        hazard_id,
        lambda h, now: rules.report_rectified(
            h, measures=measures, evidence_refs=evidence_refs, completed_at=completed_at, actor=actor, now=now
        ),
    )


def verify(deps: Deps, *, hazard_id: str, accepted: bool, note: str, actor: Actor) -> Hazard:
    """The officer accepts (HazardClosed) or rejects (HazardUpdated, reopened) the rectification."""
    return _change(
        deps, hazard_id, lambda h, now: rules.verify(h, accepted=accepted, note=note, actor=actor, now=now)
    )


def _lapse(tx: Tx, hazard: Hazard) -> Hazard:
    lapsed = rules.mark_lapsed(hazard, tx.now)
    repo.update(tx.conn, hazard_in=lapsed)
    tx.publish(lapsed.uscc, ev.HazardOverdue(lapsed))
    registry_repo.add_signal(
        tx.conn,
        uscc=lapsed.uscc,
        event=Event(Signal.OVERDUE_HAZARD, lapsed.rectify_by, lapsed.hazard_id, lapsed.title),
    )
    enterprise_risk.refresh(
        tx, uscc=lapsed.uscc, cause=ev.ChangeCause.HAZARD_OVERDUE, source_ref=lapsed.hazard_id
    )
    return lapsed


def mark_overdue(deps: Deps) -> int:
    """Announce every lapse due now (HazardOverdue once per lapse); returns how many. Each hazard is
    re-read under its row lock, so two workers (or replicas) never announce one lapse twice."""
    done = 0
    with deps.engine.connect() as conn:
        due = repo.due_to_lapse(conn, now=deps.clock.now())
    for hazard_id in due:
        with transaction(deps) as tx:
            hazard = repo.get_or_raise(tx.conn, hazard_id=hazard_id, for_update=True)
            if hazard.is_due_to_lapse(tx.now):
                _lapse(tx, hazard)
                done += 1
    return done
