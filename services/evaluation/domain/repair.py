"""Credit repair (信用修复): an enterprise asks for the credit lost to a penalty back once the
violation's rectification has been verified; the bureau approves or refuses. An approval counts in
the rating only with the verified rectification (domain/credit.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from services.evaluation.domain.facts import Fact
from shared.errors import FailedPrecondition, InvalidArgument


class RepairStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


@dataclass(frozen=True)
class Repair:
    request_id: str
    uscc: str
    case_id: str
    reason: str
    status: RepairStatus
    requested_at: datetime
    decided_at: datetime | None = None
    decided_by: str = ""
    note: str = ""


def new_request(
    request_id: str, uscc: str, case_id: str, reason: str, facts: list[Fact], now: datetime
) -> Repair:
    """A request for a case penalised and rectified; FAILED_PRECONDITION before that."""
    case_id, reason = case_id.strip(), reason.strip()
    if not case_id:
        raise InvalidArgument("case_id", "required: the case whose penalty the repair concerns")
    if not reason:
        raise InvalidArgument("reason", "required: what was done to put the violation right")
    if len(reason) > 2000:
        raise InvalidArgument("reason", "at most 2000 characters")
    penalised = any(f.type == "PenaltyDecided" and f.subject == case_id and f.uscc == uscc for f in facts)
    if not penalised:
        raise FailedPrecondition(f"case {case_id} decided no penalty against {uscc}: nothing to repair")
    if not rectification_verified(facts, case_id):
        raise FailedPrecondition(f"case {case_id}: its rectification has not been verified yet")
    return Repair(request_id, uscc, case_id, reason, RepairStatus.REQUESTED, now)


def rectification_verified(facts: list[Fact], case_id: str) -> bool:
    """Whether an officer verified the case's rectification."""
    return any(
        f.type == "CaseAdvanced" and f.subject == case_id and f.get("rectification_verified") for f in facts
    )


def decide(repair: Repair, *, approve: bool, by: str, note: str, now: datetime) -> Repair:
    """The request approved or refused; FAILED_PRECONDITION if it was decided already."""
    if repair.status is not RepairStatus.REQUESTED:
        raise FailedPrecondition(f"request {repair.request_id} was already {repair.status.value}")
    if not approve and not note.strip():
        raise InvalidArgument("note", "required when refusing: the enterprise is told why")
    status = RepairStatus.APPROVED if approve else RepairStatus.REFUSED
    return replace(repair, status=status, decided_at=now, decided_by=by, note=note.strip())
