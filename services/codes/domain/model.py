"""A code and its versions: issue, rotate, revoke, reissue, and what a scanned version means now."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from services.codes.domain.token import Verdict
from shared.errors import FailedPrecondition, InvalidArgument

MAX_REASON_CHARS = 500


class CodeStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class VersionEnd(StrEnum):
    """Why a version stopped being the one to scan."""

    ROTATED = "rotated"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Code:
    """An enterprise's code: its current version and whether that version may be scanned."""

    uscc: str
    version: int
    key_id: str
    status: CodeStatus
    issued_at: datetime
    revoked_at: datetime | None = None
    revoke_reason: str = ""


@dataclass(frozen=True)
class CodeVersion:
    """One version ever issued; `end` stays None while it is the active one."""

    uscc: str
    version: int
    key_id: str
    issued_at: datetime
    end: VersionEnd | None = None
    ended_at: datetime | None = None


def clean_reason(reason: str, *, required: bool) -> str:
    """A trimmed reason; InvalidArgument when missing (where required) or too long."""
    text = (reason or "").strip()
    if required and not text:
        raise InvalidArgument("reason", "is required (it is kept in the audit trail)")
    if len(text) > MAX_REASON_CHARS:
        raise InvalidArgument("reason", f"at most {MAX_REASON_CHARS} characters, got {len(text)}")
    return text


def first(uscc: str, key_id: str, now: datetime) -> Code:
    """Version 1 of a new code."""
    return Code(uscc=uscc, version=1, key_id=key_id, status=CodeStatus.ACTIVE, issued_at=now)


def rotate(code: Code, key_id: str, now: datetime) -> Code:
    """The next version of an active code (the current one becomes superseded)."""
    if code.status is not CodeStatus.ACTIVE:
        raise FailedPrecondition(f"code of {code.uscc} is revoked: reissue it instead of rotating")
    return replace(code, version=code.version + 1, key_id=key_id, issued_at=now)


def revoke(code: Code, reason: str, now: datetime) -> Code:
    """The same version, withdrawn."""
    if code.status is CodeStatus.REVOKED:
        raise FailedPrecondition(f"code of {code.uscc} is already revoked")
    return replace(code, status=CodeStatus.REVOKED, revoked_at=now, revoke_reason=reason)


def reissue(code: Code, key_id: str, now: datetime) -> Code:
    """A new active version after a revocation."""
    if code.status is not CodeStatus.REVOKED:
        raise FailedPrecondition(f"code of {code.uscc} is active: rotate it, or revoke it before reissuing")
    return Code(
        uscc=code.uscc, version=code.version + 1, key_id=key_id, status=CodeStatus.ACTIVE, issued_at=now
    )


def judge(scanned: CodeVersion | None, current: Code | None) -> tuple[Verdict, str]:
    """What a correctly signed token of version `scanned` means given the code as it is now."""
    if scanned is None or current is None:
        return Verdict.UNKNOWN, "no such code was issued here"
    if scanned.end is VersionEnd.REVOKED or (
        scanned.version == current.version and current.status is CodeStatus.REVOKED
    ):
        return Verdict.REVOKED, "this code was revoked by the ecological environment bureau"
    if scanned.version < current.version:
        return Verdict.SUPERSEDED, "this code was replaced by a newer one; scan the enterprise's current code"
    return Verdict.VALID, ""
