"""Rating enterprises: recompute one enterprise's credit and history from its facts, store them,
and announce a new level or rules version (CreditChanged) in the same transaction."""

from __future__ import annotations

import logging

from services.evaluation.adapters import repository as repo
from services.evaluation.domain import events as ev
from services.evaluation.domain.history import assess
from services.evaluation.domain.levels import Level
from services.evaluation.service_layer.unit_of_work import Deps, Tx, transaction

log = logging.getLogger(__name__)


def _published(level: Level, version: str) -> str:
    return f"{level.value}|{version}"


def rerate(tx: Tx, deps: Deps, *, uscc: str) -> None:
    """Rate one enterprise now; publish CreditChanged when its level or rules version changed."""
    stored = repo.get_credit(tx.conn, uscc=uscc, for_update=True)
    facts = repo.facts_of(tx.conn, uscc=uscc)
    result = assess(facts, deps.rules, tx.now)
    rating = result.current
    rules = deps.rules.in_force(tx.today)
    published = _published(rating.level, rating.rules_version)
    if stored is None or stored.published != published:
        previous = Level(stored.published.split("|")[0]) if stored and stored.published else None
        tx.publish(uscc, ev.CreditChanged(uscc, previous, rating))
    profile = repo.get_profile(tx.conn, uscc=uscc)
    repo.save_credit(
        tx.conn,
        uscc=uscc,
        rating=rating,
        explanation=rating.explanation(rules),
        since=result.history[-1].since if result.history else tx.now,
        town=profile.town if profile else "",
        published=published,
        next_change_at=result.next_change,
    )
    repo.replace_history(tx.conn, uscc=uscc, entries=result.history)


def rerate_due(deps: Deps) -> int:
    """Re-rate every enterprise whose rating may have changed with no new event (a fact left the
    window, a day of an open exceedance passed) or that was rated under another rules version."""
    now = deps.clock.now()
    version = deps.rules.in_force(deps.today()).version
    with deps.engine.connect() as conn:
        due = repo.due_for_rerating(conn, now=now, version=version)
    for uscc in due:
        with transaction(deps) as tx:
            rerate(tx, deps, uscc=uscc)
    if due:
        log.info("re-rated %d enterprise(s) under %s", len(due), version)
    return len(due)
