"""Rectification deadlines: a decided case whose rectification date passed with no verified
rectification is announced (RectificationOverdue) exactly once per lapsed date.

The escalation worker raises the same case grid → town → city; this announcement is the separate
fact that credit and risk weigh, and it does not depend on the case's escalation level.
"""

from __future__ import annotations

import logging
import math

from services.enforcement.adapters import case_repository as case_repo
from services.enforcement.adapters import problem_repository as problem_repo
from services.enforcement.adapters import rectification_repository as lapses
from services.enforcement.domain.case import Stage
from services.enforcement.domain.events import RectificationOverdue
from services.enforcement.domain.problem import Entry
from services.enforcement.domain.values import Actor
from services.enforcement.service_layer.cases import key_of
from services.enforcement.service_layer.unit_of_work import Deps, transaction

log = logging.getLogger(__name__)
WORKER = Actor("enforcement", "rectification-worker", "rectification date passed")
DAY_SECONDS = 86_400


def announce_overdue(deps: Deps) -> int:
    """Announce every decided case whose rectification date has passed and is not announced yet."""
    now = deps.clock.now()
    with deps.engine.connect() as conn:
        due = lapses.lapsed_ids(conn, now)
    done = 0
    for case_id in due:
        with transaction(deps) as tx:
            case = case_repo.get(tx.conn, case_id=case_id, for_update=True)
            if case is None or case.stage is not Stage.DECIDED or case.decision is None:
                continue  # rectified or closed since the query
            rectify_by = case.decision.rectify_by
            if rectify_by >= tx.now:
                continue
            if not lapses.claim_lapse(tx.conn, case.case_id, rectify_by, tx.now):
                continue  # this date was announced already (by this worker or another replica)
            # Whole days late, counting a started day (one hour late is 1 day overdue).
            days = max(1, math.ceil((tx.now - rectify_by).total_seconds() / DAY_SECONDS))
            note = f"rectify by {rectify_by.isoformat()} passed; {days} day(s) overdue"
            problem_repo.append_to_case(
                tx.conn, case.case_id, Entry(tx.now, WORKER, "rectification overdue", note)
            )
            tx.publish(key_of(case), RectificationOverdue(case, days))
            done += 1
    if done:
        log.info("announced %d overdue rectification(s)", done)
    return done
