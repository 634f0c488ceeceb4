"""Problem-ledger use cases: open a problem (by hand or from an event), append alarms, read the ledger.

One source reference opens one problem: the reference is claimed in the same transaction as the
problem, so a repeated call or a redelivered event finds the problem already opened.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Connection

from services.enforcement.adapters import case_repository as case_repo
from services.enforcement.adapters import edition_repository as editions
from services.enforcement.adapters import inspection_repository as targets
from services.enforcement.adapters import problem_repository as problem_repo
from services.enforcement.domain import case as loop
from services.enforcement.domain.case import Case, Stage
from services.enforcement.domain.events import ProblemOpened
from services.enforcement.domain.grids import Grid
from services.enforcement.domain.problem import Entry, Problem, ProblemIn, Severity, Source
from services.enforcement.service_layer import evidence as evidence_uc
from services.enforcement.service_layer.evidence import EvidenceIn
from services.enforcement.service_layer.routing import first_owner, route
from services.enforcement.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.errors import NotFound

log = logging.getLogger(__name__)


def subject_key_of(case: Case, problem: Problem) -> str:
    """The Kafka key of a problem's events: the enterprise, else the station, else the case."""
    return problem.fields.uscc or case.uscc or problem.fields.station_id or case.case_id


def _new_case(tx: Tx, p: ProblemIn, grid: Grid | None) -> Case:
    schedule = editions.schedule(tx.conn)
    case_id = str(uuid.uuid4())
    case = Case(
        case_id=case_id,
        case_number=case_repo.next_number(tx.conn, case_id, tx.now),
        title=p.title,
        source=p.source,
        uscc=p.uscc,
        station_id=p.station_id,
        location=p.location,
        town=p.town,
        grid_id=p.grid_id,
        opened_at=tx.now,
        owner=first_owner(tx.conn, grid),
        due_at=schedule.due(Stage.DISCOVERED, tx.now),
        deadline_version=schedule.version,
    )
    return loop.opening(case, p.actor, f"opened from {p.source.value}")


def open_in(
    deps: Deps, tx: Tx, p: ProblemIn, *, river: str = "", evidence: list[EvidenceIn] | None = None
) -> tuple[Problem, bool]:
    """Open a problem in the caller's transaction; (problem, True) or (the one its reference already
    opened, False). It joins the open case of its subject, or opens a case at DISCOVERED."""
    problem_id = str(uuid.uuid4())
    if p.source_ref and not problem_repo.claim_ref(tx.conn, p.source, p.source_ref, problem_id):
        existing = problem_repo.by_ref(tx.conn, p.source, p.source_ref)
        found = problem_repo.get(tx.conn, problem_id=existing or "")
        assert found is not None, "a claimed reference names its problem"
        return found, False
    if p.location is None and not p.grid_id and p.uscc:
        # A source that knows only the enterprise (a waste manifest) is placed at its registered
        # site, so the problem reaches that grid's commissioner instead of no one. An enterprise not
        # registered yet leaves the problem outside every grid, as before.
        p = replace(p, location=targets.target_location(tx.conn, p.uscc))
    grid = route(tx.conn, p.location, p.grid_id)
    if grid is not None:
        # The grid names the town: the ledger filters by it, whatever spelling the source used.
        p = replace(p, grid_id=grid.grid_id, town=grid.town or p.town)
    case = case_repo.open_for_subject(tx.conn, p.subject) if p.subject else None
    new_case = case is None
    if case is None:
        case = _new_case(tx, p, grid)
        case_repo.create(tx.conn, case, p.subject or f"case:{case.case_id}")
    where = f" (grid {p.grid_id})" if p.grid_id else " (outside every grid)" if p.location else ""
    opened = Entry(tx.now, p.actor, "opened", f"case {case.case_number}{where}", p.source_ref)
    problem = Problem(problem_id, case.case_id, p, tx.now, (opened,))
    problem_repo.create(tx.conn, problem, river)
    before = case
    for item in evidence or []:
        case, _ = evidence_uc.add_in(deps, tx, case, item)
    if case is not before:
        case_repo.save(tx.conn, before, case)
    case = replace(case, problem_ids=(*case.problem_ids, problem_id))
    tx.publish(subject_key_of(case, problem), ProblemOpened(problem, case, new_case))
    return problem, True


def open_problem(deps: Deps, p: ProblemIn) -> Problem:
    """OpenProblem: enter a problem (or return the one its source reference already opened)."""
    with transaction(deps) as tx:
        problem, _ = open_in(deps, tx, p)
    return problem


def alarm(
    deps: Deps, conn: Connection, p: ProblemIn, *, river: str = "", evidence: list[EvidenceIn] | None = None
) -> str:
    """An alarm from monitoring, in the consumer's transaction: appended to its subject's open problem
    (with its readings added to the case's evidence), else opening one. Returns what was done."""
    with transaction(deps, conn) as tx:
        current = problem_repo.open_for_subject(tx.conn, p.subject) if p.subject else None
        if current is None:
            _, opened = open_in(deps, tx, p, river=river, evidence=evidence)
            return "opened" if opened else "duplicate"
        if not problem_repo.claim_ref(tx.conn, p.source, p.source_ref, current.problem_id):
            return "duplicate"
        problem_repo.append(
            tx.conn, current.problem_id, Entry(tx.now, p.actor, "alarm appended", p.title, p.source_ref)
        )
        case = case_repo.get(tx.conn, case_id=current.case_id, for_update=True)
        assert case is not None
        after = case
        for item in evidence or []:
            after, _ = evidence_uc.add_in(deps, tx, after, item)
        if after is not case:
            case_repo.save(tx.conn, case, after)
        return "appended"


def cleared(
    deps: Deps, conn: Connection, *, source: Source, source_ref: str, subject: str, note: str, at: datetime
) -> bool:
    """An alarm cleared (monitoring's ExceedanceCleared): recorded on the open problem, never closing it."""
    with transaction(deps, conn) as tx:
        current = problem_repo.open_for_subject(tx.conn, subject)
        if current is None:
            log.info("exceedance cleared on %s with no open problem; nothing to record", subject)
            return False
        if not problem_repo.claim_ref(tx.conn, source, source_ref, current.problem_id):
            return False
        entry = Entry(at, current.fields.actor, "alarm cleared", note, source_ref)
        problem_repo.append(tx.conn, current.problem_id, entry)
        return True


def get(deps: Deps, *, problem_id: str) -> tuple[Problem, Stage]:
    """One problem and its case's stage."""
    with deps.engine.connect() as conn:
        problem = problem_repo.get(conn, problem_id=problem_id)
        if problem is None:
            raise NotFound("problem", problem_id)
        return problem, problem_repo.stages(conn, [problem.case_id])[problem.case_id]


def get_all(
    deps: Deps,
    *,
    source: Source | None,
    uscc: str,
    station_id: str,
    town: str,
    grid_id: str,
    stages: list[Stage],
    opened_from: datetime | None,
    opened_to: datetime | None,
    overdue_only: bool = False,
    severities: list[Severity] | None = None,
    page_size: int,
    page_token: str,
) -> tuple[paging.Page[Problem], dict[str, Stage]]:
    """The ledger filtered, newest first, with each problem's stage."""
    size, after = paging.page_size(page_size), paging.decode(page_token)
    with deps.engine.connect() as conn:
        page = problem_repo.get_all(
            conn,
            source=source,
            uscc=uscc,
            station_id=station_id,
            town=town,
            grid_id=grid_id,
            stages_in=stages,
            opened_from=opened_from,
            opened_to=opened_to,
            overdue_at=deps.clock.now() if overdue_only else None,
            severities=severities or [],
            size=size,
            after=after,
        )
        return page, problem_repo.stages(conn, [p.case_id for p in page.items])
