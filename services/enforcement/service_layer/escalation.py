"""The periodic escalation of overdue cases: grid → town → city, once per lapse, each with an event."""

from __future__ import annotations

import logging
from dataclasses import replace

from services.enforcement.adapters import case_repository as case_repo
from services.enforcement.adapters import edition_repository as editions
from services.enforcement.adapters import problem_repository as problem_repo
from services.enforcement.domain import deadlines
from services.enforcement.domain.case import Case
from services.enforcement.domain.events import CaseEscalated
from services.enforcement.domain.problem import Entry
from services.enforcement.domain.values import Actor, Assignee
from services.enforcement.service_layer.cases import key_of
from services.enforcement.service_layer.unit_of_work import Deps, transaction

log = logging.getLogger(__name__)
WORKER = Actor("enforcement", "escalation-worker", "stage deadline passed")


def owner_at(case: Case, level: int) -> Assignee:
    """Who owns a case escalated to `level`: the town's office, then the city bureau."""
    if level == deadlines.TOWN:
        return Assignee(department=f"town:{case.town}" if case.town else "town")
    return Assignee(department="city:bureau" if level == deadlines.CITY else "city:government")


def escalate_overdue(deps: Deps) -> int:
    """Escalate every case whose stage deadline has passed and whose lapse is not escalated yet."""
    now = deps.clock.now()
    with deps.engine.connect() as conn:
        due = case_repo.overdue_ids(conn, now)
    done = 0
    for case_id in due:
        with transaction(deps) as tx:
            case = case_repo.get(tx.conn, case_id=case_id, for_update=True)
            if case is None:
                continue
            step = deadlines.overdue_escalation(
                case, tx.now, editions.schedule(tx.conn, case.deadline_version or None)
            )
            if step is None:
                continue
            lapse = step.lapse.isoformat()
            if not case_repo.record_escalation(tx.conn, case.case_id, lapse, step.level, "overdue", tx.now):
                continue  # another worker escalated this lapse
            after = deadlines.escalated(case, step, tx.now)
            after = replace(after, owner=owner_at(case, step.level))
            case_repo.save(tx.conn, case, after)
            level = f"level {step.level} ({deadlines.LEVEL_NAMES[step.level]})"
            note = f"{case.stage.value} deadline {lapse} passed; {level}"
            problem_repo.append_to_case(
                tx.conn, case.case_id, Entry(tx.now, WORKER, "escalated (overdue)", note)
            )
            tx.publish(key_of(after), CaseEscalated(after, "overdue"))
            done += 1
    if done:
        log.info("escalated %d overdue case(s)", done)
    return done
