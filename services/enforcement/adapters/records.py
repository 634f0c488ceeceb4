"""Sub-records of a case kept as JSON (candidates, investigation, decision, rectification) and the
actor columns: to and from domain objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.enforcement.domain.case import Candidate, Rectification
from services.enforcement.domain.decisions import Decision, DecisionIn, Harm, Investigation, PenaltyKind
from services.enforcement.domain.values import Actor


def actor_values(prefix: str, a: Actor) -> dict[str, str]:
    """An actor as the `<prefix>_*` columns."""
    return {f"{prefix}_department": a.department, f"{prefix}_user": a.user, f"{prefix}_reason": a.reason}


def actor_of(prefix: str, row: Any) -> Actor:
    """The actor of the `<prefix>_*` columns."""
    m = row._mapping
    return Actor(m[f"{prefix}_department"], m[f"{prefix}_user"], m[f"{prefix}_reason"])


def _actor_json(a: Actor) -> dict[str, str]:
    return {"department": a.department, "user": a.user, "reason": a.reason}


def _actor_from(d: dict[str, str]) -> Actor:
    return Actor(d.get("department", ""), d.get("user", ""), d.get("reason", ""))


def _when(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def _must(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


def candidates_json(cs: tuple[Candidate, ...]) -> list[dict[str, Any]]:
    """Candidates as JSON."""
    return [c.__dict__ for c in cs]


def candidates_of(raw: list[dict[str, Any]] | None) -> tuple[Candidate, ...]:
    """Candidates from JSON."""
    return tuple(Candidate(**c) for c in raw or [])


def investigation_json(i: Investigation | None) -> dict[str, Any] | None:
    """An investigation as JSON."""
    if i is None:
        return None
    return {
        "findings": i.findings,
        "violations": list(i.violations),
        "first_violation": i.first_violation,
        "harm": i.harm.value,
        "corrected_in_time": i.corrected_in_time,
        "inspector_ids": list(i.inspector_ids),
        "investigated_at": i.investigated_at.isoformat(),
        "actor": _actor_json(i.actor),
    }


def investigation_of(d: dict[str, Any] | None) -> Investigation | None:
    """An investigation from JSON."""
    if not d:
        return None
    return Investigation(
        d["findings"],
        tuple(d["violations"]),
        d["first_violation"],
        Harm(d["harm"]),
        d["corrected_in_time"],
        tuple(d["inspector_ids"]),
        _must(d["investigated_at"]),
        _actor_from(d["actor"]),
    )


def decision_json(x: Decision | None) -> dict[str, Any] | None:
    """A decision as JSON."""
    if x is None:
        return None
    f = x.fields
    return {
        "decision_id": x.decision_id,
        "uscc": x.uscc,
        "decided_at": x.decided_at.isoformat(),
        "rectify_by": x.rectify_by.isoformat(),
        "catalogue_version": x.catalogue_version,
        "document_number": f.document_number,
        "waived": f.waived,
        "waiver_list_item": f.waiver_list_item,
        "violation": f.violation,
        "legal_basis": f.legal_basis,
        "penalties": [p.value for p in f.penalties],
        "fine_fen": f.fine_fen,
        "confiscated_fen": f.confiscated_fen,
        "permit_number": f.permit_number,
        "suspension_days": f.suspension_days,
        "decided_by": _actor_json(f.decided_by),
    }


def decision_of(d: dict[str, Any] | None) -> Decision | None:
    """A decision from JSON."""
    if not d:
        return None
    rectify_by = _must(d["rectify_by"])
    fields = DecisionIn(
        d["document_number"],
        d["waived"],
        d["waiver_list_item"],
        d["violation"],
        d["legal_basis"],
        tuple(PenaltyKind(p) for p in d["penalties"]),
        d["fine_fen"],
        d["confiscated_fen"],
        d["permit_number"],
        d["suspension_days"],
        rectify_by,
        _actor_from(d["decided_by"]),
    )
    return Decision(
        d["decision_id"], d["uscc"], _must(d["decided_at"]), fields, rectify_by, d["catalogue_version"]
    )


def rectification_json(r: Rectification | None) -> dict[str, Any] | None:
    """A rectification as JSON."""
    if r is None:
        return None
    return {
        "measures": r.measures,
        "evidence_ids": list(r.evidence_ids),
        "completed_at": r.completed_at.isoformat(),
        "verified_by": _actor_json(r.verified_by),
        "verified_at": r.verified_at.isoformat(),
    }


def rectification_of(d: dict[str, Any] | None) -> Rectification | None:
    """A rectification from JSON."""
    if not d:
        return None
    return Rectification(
        d["measures"],
        tuple(d["evidence_ids"]),
        _must(d["completed_at"]),
        _actor_from(d["verified_by"]),
        _must(d["verified_at"]),
    )
