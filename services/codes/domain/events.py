"""What the code service announces, as plain domain values; entrypoints/translate.py turns each into
its contract message (codes.proto) when the unit of work writes it to the outbox."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeIssued:
    uscc: str
    version: int
    key_id: str
    url: str
    reissue: bool = False
    reason: str = ""


@dataclass(frozen=True)
class CodeRotated:
    uscc: str
    previous_version: int
    version: int
    key_id: str
    url: str
    reason: str


@dataclass(frozen=True)
class CodeRevoked:
    uscc: str
    version: int
    reason: str
