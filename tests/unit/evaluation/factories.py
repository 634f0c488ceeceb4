"""Constructed facts and rule sets for evaluation's unit tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.evaluation.domain import rules
from services.evaluation.domain.facts import Fact

UNI = "91330100716105852F"
T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Cixi
RULES_DIR = Path(__file__).resolve().parents[3] / "services" / "evaluation" / "rules"
_ids = itertools.count(1)


def book() -> rules.RuleBook:
    """The rule book shipped with the service."""
    return rules.load_dir(RULES_DIR)


def at(days: float) -> datetime:
    """T0 plus some days."""
    return T0 + timedelta(days=days)


def fact(type_: str, when: datetime, *, subject: str = "", uscc: str = UNI, **data: Any) -> Fact:
    """A fact with a fresh event id."""
    return Fact(f"e{next(_ids):05d}", type_, when, uscc=uscc, subject=subject, data=data)


def penalty(when: datetime, case_id: str, *kinds: str) -> Fact:
    """A PenaltyDecided fact."""
    return fact("PenaltyDecided", when, subject=case_id, case_id=case_id, penalties=list(kinds))


def rectified(when: datetime, case_id: str) -> Fact:
    """A CaseAdvanced fact whose rectification an officer verified."""
    return fact("CaseAdvanced", when, subject=case_id, to_stage="RECTIFIED", rectification_verified=True)


def repair_approved(when: datetime, case_id: str, request_id: str = "r1") -> Fact:
    """An approved credit-repair request for a case."""
    return fact("CreditRepairDecided", when, subject=request_id, case_id=case_id, approved=True)


def uscc(n: int) -> str:
    """A valid Cixi USCC (GB 32100 check characters computed)."""
    from shared.uscc import with_check_characters

    return with_check_characters(f"91330282{n:08d}")
