"""Credit queries and credit-repair requests."""

from __future__ import annotations

import uuid

from services.evaluation.adapters import repository as repo
from services.evaluation.domain import events as ev
from services.evaluation.domain import repair as rules
from services.evaluation.domain.history import Entry
from services.evaluation.domain.levels import Level
from services.evaluation.domain.repair import Repair, RepairStatus
from services.evaluation.domain.rules import RuleSet
from services.evaluation.service_layer.unit_of_work import Deps, transaction
from shared import paging
from shared.errors import AlreadyExists, InvalidArgument, NotFound
from shared.uscc import validate_uscc


def get(deps: Deps, *, uscc: str) -> repo.StoredCredit:
    """An enterprise's rating with its reasons, or NOT_FOUND."""
    code = validate_uscc(uscc)
    with deps.engine.connect() as conn:
        return repo.get_credit_or_raise(conn, uscc=code)


def get_all(
    deps: Deps, *, level: Level | None, town: str, page_size: int, page_token: str
) -> paging.Page[repo.StoredCredit]:
    """Ratings filtered by level and town, a page at a time."""
    if len(town) > 100:
        raise InvalidArgument("town", "at most 100 characters")
    with deps.engine.connect() as conn:
        return repo.get_all_credits(
            conn, level=level, town=town.strip(), page_size=page_size, page_token=page_token
        )


def history(deps: Deps, *, uscc: str) -> list[Entry]:
    """An enterprise's credit history, oldest first (NOT_FOUND if never rated)."""
    code = validate_uscc(uscc)
    with deps.engine.connect() as conn:
        repo.get_credit_or_raise(conn, uscc=code)
        return repo.get_history(conn, uscc=code)


def rules_version(deps: Deps, *, version: str) -> RuleSet:
    """One rules version, or the one in force today."""
    if not version.strip():
        return deps.rules.in_force(deps.today())
    for candidate in deps.rules.versions:
        if candidate.version == version.strip():
            return candidate
    raise NotFound("credit rules version", version)


def request_repair(deps: Deps, *, uscc: str, case_id: str, reason: str) -> Repair:
    """Record a credit-repair request for a penalised case whose rectification was verified."""
    code = validate_uscc(uscc)
    with transaction(deps) as tx:
        facts = repo.facts_of(tx.conn, uscc=code)
        repair = rules.new_request(str(uuid.uuid4()), code, case_id, reason, facts, tx.now)
        if repo.open_repair_for(tx.conn, uscc=code, case_id=repair.case_id) is not None:
            raise AlreadyExists("credit-repair request for case", repair.case_id)
        repo.create_repair(tx.conn, repair_in=repair)
        tx.publish(code, ev.CreditRepairRequested(repair))
    return repair


def decide_repair(deps: Deps, *, request_id: str, approve: bool, by: str, note: str) -> Repair:
    """Approve or refuse a request; the rating follows when the decision comes back as a fact."""
    if not request_id.strip():
        raise InvalidArgument("request_id", "required")
    with transaction(deps) as tx:
        current = repo.get_repair_or_raise(tx.conn, request_id=request_id.strip(), for_update=True)
        decided = rules.decide(current, approve=approve, by=by, note=note, now=tx.now)
        repo.update_repair(tx.conn, repair_in=decided)
        tx.publish(decided.uscc, ev.CreditRepairDecided(decided))
    return decided


def get_all_repairs(
    deps: Deps, *, uscc: str, status: RepairStatus | None, page_size: int, page_token: str
) -> paging.Page[Repair]:
    """Requests filtered by enterprise and status."""
    code = validate_uscc(uscc) if uscc else ""
    with deps.engine.connect() as conn:
        return repo.get_all_repairs(
            conn, uscc=code, status=status, page_size=page_size, page_token=page_token
        )
