"""Petition use cases (信访工作条例, 2022): receive (linked to an earlier one about the same enterprise
and issue), accept or decline within 15 days (an accepted one opens a problem routed to its grid),
extend once, answer, close; escalate overdue ones once per lapse; erase contacts when retention ends.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from functools import cache

from services.enforcement.adapters import data_files
from services.enforcement.adapters import inspection_repository as targets
from services.enforcement.adapters import petition_repository as repo
from services.enforcement.domain import petition_records as records
from services.enforcement.domain import petitions as rules
from services.enforcement.domain.petition_events import (
    PetitionClosed,
    PetitionEscalated,
    PetitionReceived,
    PetitionStatusChanged,
)
from services.enforcement.domain.petition_records import Intake, Record
from services.enforcement.domain.petitions import Status
from services.enforcement.domain.problem import ProblemIn, Severity, Source
from services.enforcement.domain.values import Actor, Assignee, GeoPoint
from services.enforcement.service_layer import problems
from services.enforcement.service_layer.routing import route
from services.enforcement.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.errors import NotFound


@cache
def retention_days() -> int:
    """Days a closed petition's contact is kept (data/petition_retention.json)."""
    return int(data_files.read("petition_retention.json")["contact_days_after_close"])


def _place(tx: Tx, i: Intake) -> tuple[GeoPoint | None, str, str]:
    """Where the petition is: its location, else the enterprise's; and the grid and town of that place."""
    where = i.location or (targets.target_location(tx.conn, i.uscc) if i.uscc else None)
    grid = route(tx.conn, where, "") if where else None
    return where, (grid.town if grid else ""), (grid.grid_id if grid else "")


def submit(deps: Deps, i: Intake, *, department: str) -> Record:
    """SubmitPetition: received with its accept deadline and tracking code, linked to an earlier
    petition about the same enterprise (or place) and issue within the window."""
    with transaction(deps) as tx:
        where, town, grid_id = _place(tx, i)
        petition = rules.receive(
            str(uuid.uuid4()),
            uscc=i.uscc,
            category=i.category,
            at=tx.now,
            lat=where.lat if where else None,
            lon=where.lon if where else None,
        )
        earlier = repo.recent(tx.conn, category=i.category, uscc=i.uscc, since=tx.now - rules.LINK_WINDOW)
        petition = rules.link(petition, [r.petition for r in earlier])
        record = Record(
            petition,
            records.tracking_code(tx.now),
            i.source,
            i.text,
            i.contact,
            town,
            grid_id,
            department,
        )
        repo.create(tx.conn, record)
        tx.publish(record.subject, PetitionReceived(record))
    return record


def get(deps: Deps, *, petition_id: str) -> Record:
    """One petition, everything (authorised callers)."""
    with deps.engine.connect() as conn:
        found = repo.get(conn, petition_id=petition_id)
    if found is None:
        raise NotFound("petition", petition_id)
    return found


def track(deps: Deps, *, tracking_code: str) -> Record:
    """A petition by its tracking code (the translation shows its public fields only)."""
    with deps.engine.connect() as conn:
        found = repo.get(conn, tracking_code=tracking_code.strip().upper()) if tracking_code.strip() else None
    if found is None:
        raise NotFound("petition", "with this tracking code")
    return found


def get_all(
    deps: Deps,
    *,
    statuses: list[Status],
    uscc: str,
    town: str,
    grid_id: str,
    overdue_only: bool,
    page_size: int,
    page_token: str,
) -> paging.Page[Record]:
    """Petitions filtered."""
    size, after = paging.page_size(page_size), paging.decode(page_token)
    with deps.engine.connect() as conn:
        return repo.get_all(
            conn,
            statuses=statuses,
            uscc=uscc,
            town=town,
            grid_id=grid_id,
            overdue_at=deps.clock.now() if overdue_only else None,
            size=size,
            after=after,
        )


def _change(deps: Deps, petition_id: str, step: object, actor: Actor) -> Record:
    """Apply `step(tx, record) -> record` to a petition and publish what it became."""
    with transaction(deps) as tx:
        current = repo.get(tx.conn, petition_id=petition_id, for_update=True)
        if current is None:
            raise NotFound("petition", petition_id)
        changed: Record = step(tx, current)  # type: ignore[operator]
        repo.save(tx.conn, changed)
        if changed.petition.status is Status.CLOSED:
            tx.publish(changed.subject, PetitionClosed(changed, records.on_time(changed)))
        else:
            tx.publish(changed.subject, PetitionStatusChanged(changed, current.petition.status))
    return changed


def _problem(deps: Deps, tx: Tx, r: Record, actor: Actor) -> str:
    """The problem an accepted petition opens; linked repeats share the first one's reference, so
    they reach the same problem rather than opening another."""
    p = r.petition
    first = p.linked_to or p.petition_id
    where = GeoPoint(p.lat, p.lon) if p.lat is not None and p.lon is not None else None
    problem, _ = problems.open_in(
        deps,
        tx,
        ProblemIn(
            source=Source.PETITION,
            source_ref=f"petition:{first}",
            title=f"信访 {r.tracking_code}",
            description=r.text,
            category=p.category,
            uscc=p.uscc,
            station_id="",
            parameter="",
            location=where,
            town="",
            grid_id=r.grid_id,
            severity=Severity.MEDIUM,
            occurred_at=p.received_at,
            actor=actor,
        ),
    )
    return problem.problem_id


def decide(
    deps: Deps, *, petition_id: str, accept: bool, decline_reason: str, owner: Assignee | None, actor: Actor
) -> Record:
    """AcceptPetition: accepted (opening its problem, routed to its grid) or declined with a reason."""

    def step(tx: Tx, r: Record) -> Record:
        if not accept:
            return replace(r, petition=rules.decline(r.petition, reason=decline_reason), declined_at=tx.now)
        accepted = replace(r, petition=rules.accept(r.petition, at=tx.now), owner=owner or r.owner)
        return replace(accepted, problem_id=_problem(deps, tx, accepted, actor))

    return _change(deps, petition_id, step, actor)


def extend(deps: Deps, *, petition_id: str, days: int, reason: str, actor: Actor) -> Record:
    """ExtendPetition: the one extension, 1 to 30 days, with a reason; a second is refused."""

    def step(tx: Tx, r: Record) -> Record:
        extended = rules.extend(r.petition, days=days, reason=reason)
        return replace(r, petition=extended, extended_at=tx.now, extended_by=actor)

    return _change(deps, petition_id, step, actor)


def answer(deps: Deps, *, petition_id: str, text: str, substantiated: bool, actor: Actor) -> Record:
    """AnswerPetition: the written answer, and whether the complaint proved founded."""

    def step(tx: Tx, r: Record) -> Record:
        return replace(
            r, petition=rules.answer(r.petition, text=text, substantiated=substantiated, at=tx.now)
        )

    return _change(deps, petition_id, step, actor)


def close(deps: Deps, *, petition_id: str, actor: Actor) -> Record:
    """ClosePetition: closed; the contact's retention period starts."""

    def step(tx: Tx, r: Record) -> Record:
        closed = rules.close(r.petition, at=tx.now)
        return replace(r, petition=closed, purge_after=records.purge_after(tx.now, retention_days()))

    return _change(deps, petition_id, step, actor)


def escalate_overdue(deps: Deps) -> int:
    """The periodic worker's pass: each petition past its current deadline is escalated one level,
    once per deadline missed (a later deadline missed escalates again). Returns how many."""
    with transaction(deps) as tx:
        lapsed = repo.overdue_unescalated(tx.conn, tx.now)
        for r in lapsed:
            due = rules.due_at(r.petition)
            assert due is not None
            escalated = replace(r, escalation_level=r.escalation_level + 1, escalated_due_at=due)
            repo.save(tx.conn, escalated)
            tx.publish(escalated.subject, PetitionEscalated(escalated, due))
    return len(lapsed)


def purge_contacts(deps: Deps, now: datetime | None = None) -> int:
    """Erase the contacts whose retention period has passed. Returns how many."""
    with transaction(deps) as tx:
        due = repo.due_for_purge(tx.conn, now or tx.now)
        for r in due:
            repo.save(tx.conn, repo.purged(r, tx.now))
    return len(due)


def periodic(deps: Deps) -> None:
    """The petitions worker: escalate overdue petitions, then purge expired contacts."""
    escalate_overdue(deps)
    purge_contacts(deps)
