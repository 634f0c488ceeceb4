"""Hash-chained evidence (科学锁证): each item's hash covers its content's hash and the previous
item's hash, so changing any stored file or row afterwards breaks the chain at that item.

item_sha256 = SHA-256 over the canonical serialisation (sorted-key compact JSON, UTF-8) of
(case_id, sequence, kind, content_sha256, previous_sha256, collected_at, collected_by, source_ref),
as enforcement.proto's Evidence says; the first item's previous_sha256 is 64 zeros.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from services.enforcement.domain.values import Actor, GeoPoint

GENESIS = "0" * 64


class Kind(enum.StrEnum):
    """What an evidence item is."""

    READING = "reading"
    ELECTRICITY_TRACE = "electricity_trace"
    PHOTO = "photo"
    VIDEO = "video"
    SAMPLE_REPORT = "sample_report"
    RECORD = "record"
    DOCUMENT = "document"


@dataclass(frozen=True)
class Item:
    """One link of a case's chain."""

    evidence_id: str
    case_id: str
    sequence: int
    kind: Kind
    description: str
    media_type: str
    content_sha256: str
    content_uri: str
    size_bytes: int
    previous_sha256: str
    item_sha256: str
    source_ref: str
    collected_at: datetime
    collected_by: Actor
    location: GeoPoint | None
    recorded_at: datetime
    # Content stored by this service (content-addressed) or only referenced (an outside store).
    stored_here: bool = True


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def _instant(when: datetime) -> str:
    # One spelling of an instant whatever its zone: UTC, microseconds, "Z".
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(
    *,
    case_id: str,
    sequence: int,
    kind: Kind,
    content_sha256: str,
    previous_sha256: str,
    collected_at: datetime,
    collected_by: Actor,
    source_ref: str,
) -> bytes:
    """The bytes an item's hash is taken over."""
    body = {
        "case_id": case_id,
        "sequence": sequence,
        "kind": kind.value,
        "content_sha256": content_sha256,
        "previous_sha256": previous_sha256,
        "collected_at": _instant(collected_at),
        "collected_by": {
            "department": collected_by.department,
            "user": collected_by.user,
            "reason": collected_by.reason,
        },
        "source_ref": source_ref,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def item_hash(item: Item, previous_sha256: str | None = None) -> str:
    """The hash an item should carry (over its own fields, or with another previous hash)."""
    return sha256_hex(
        canonical(
            case_id=item.case_id,
            sequence=item.sequence,
            kind=item.kind,
            content_sha256=item.content_sha256,
            previous_sha256=item.previous_sha256 if previous_sha256 is None else previous_sha256,
            collected_at=item.collected_at,
            collected_by=item.collected_by,
            source_ref=item.source_ref,
        )
    )


@dataclass(frozen=True)
class Verdict:
    """Whether a chain is intact, and its first broken link (sequence 0 when intact)."""

    intact: bool
    items: int
    head_sha256: str
    first_broken_sequence: int = 0
    problem: str = ""


def verify(items: Sequence[Item], read_content: Callable[[Item], bytes | None]) -> Verdict:
    """Recompute the chain in order; the first item whose sequence, link, content or hash does not
    match breaks it. `read_content` gives the stored bytes of an item kept here (None if missing)."""
    previous = GENESIS
    for position, item in enumerate(items, start=1):

        def broken(why: str, item: Item = item) -> Verdict:
            return Verdict(False, len(items), items[-1].item_sha256, item.sequence, why)

        if item.sequence != position:
            return broken(f"item {item.evidence_id} has sequence {item.sequence}, expected {position}")
        if item.previous_sha256 != previous:
            return broken(
                f"item {item.sequence} links to {item.previous_sha256[:12]}…, not to item {position - 1}"
            )
        if item.stored_here:
            content = read_content(item)
            if content is None:
                return broken(f"item {item.sequence}: stored content {item.content_sha256[:12]}… is missing")
            actual = sha256_hex(content)
            if actual != item.content_sha256:
                return broken(
                    f"item {item.sequence}: stored content hashes to {actual[:12]}…, "
                    f"recorded {item.content_sha256[:12]}…"
                )
        expected = item_hash(item)
        if expected != item.item_sha256:
            return broken(
                f"item {item.sequence}: its recorded fields hash to {expected[:12]}…, "
                f"not {item.item_sha256[:12]}…"
            )
        previous = item.item_sha256
    return Verdict(True, len(items), items[-1].item_sha256 if items else "")
