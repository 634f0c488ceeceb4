"""Evidence use cases: append to a case's chain, read it, verify it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from services.enforcement.adapters import case_repository as case_repo
from services.enforcement.adapters import evidence_repository as evidence_repo
from services.enforcement.domain import evidence as chain
from services.enforcement.domain.case import Case
from services.enforcement.domain.events import EvidenceAdded
from services.enforcement.domain.evidence import GENESIS, Item, Kind, Verdict
from services.enforcement.domain.values import Actor, GeoPoint, text
from services.enforcement.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.errors import FailedPrecondition, InvalidArgument, NotFound

MAX_INLINE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class EvidenceIn:
    """An item to append: inline content, or a reference to content kept elsewhere."""

    kind: Kind
    description: str
    media_type: str
    content: bytes | None
    external_uri: str
    external_sha256: str
    external_size: int
    source_ref: str
    collected_at: datetime
    collected_by: Actor
    location: GeoPoint | None


def checked(e: EvidenceIn) -> EvidenceIn:
    """An item's fields checked before anything is stored."""
    text("description", e.description, required=False, max_len=2000, free_text=True)
    text("media_type", e.media_type, required=False, max_len=100)
    text("source_ref", e.source_ref, required=False, max_len=200)
    if e.content is None:
        text("external.uri", e.external_uri, max_len=1000)
        sha = e.external_sha256.strip().lower()
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise InvalidArgument("external.sha256", "must be the 64 hex digits of the content's SHA-256")
        return replace(e, external_sha256=sha)
    if not e.content:
        raise InvalidArgument("content", "required: the evidence's bytes (or external)")
    if len(e.content) > MAX_INLINE_BYTES:
        raise InvalidArgument(
            "content", f"at most {MAX_INLINE_BYTES} bytes inline; store it and send external"
        )
    return e


def add_in(deps: Deps, tx: Tx, case: Case, e: EvidenceIn) -> tuple[Case, Item]:
    """Append an item to a (locked) case's chain in the caller's transaction; the case's head moves."""
    if e.content is not None:
        sha = deps.store.put(e.content)
        uri, size, here = deps.store.uri(sha), len(e.content), True
    else:
        sha, uri, size, here = e.external_sha256, e.external_uri, e.external_size, False
    item = Item(
        evidence_id=str(uuid.uuid4()),
        case_id=case.case_id,
        sequence=case.evidence_count + 1,
        kind=e.kind,
        description=e.description.strip(),
        media_type=e.media_type.strip(),
        content_sha256=sha,
        content_uri=uri,
        size_bytes=size,
        previous_sha256=case.evidence_head or GENESIS,
        item_sha256="",
        source_ref=e.source_ref.strip(),
        collected_at=e.collected_at,
        collected_by=e.collected_by,
        location=e.location,
        recorded_at=tx.now,
        stored_here=here,
    )
    item = replace(item, item_sha256=chain.item_hash(item))
    evidence_repo.add(tx.conn, item)
    after = replace(case, evidence_head=item.item_sha256, evidence_count=item.sequence, updated_at=tx.now)
    tx.publish(case.uscc or case.station_id or case.case_id, EvidenceAdded(item))
    return after, item


def add(deps: Deps, *, case_id: str, evidence_in: EvidenceIn) -> Item:
    """Append an item to an open case's chain (AddEvidence)."""
    e = checked(evidence_in)
    with transaction(deps) as tx:
        case = case_repo.get(tx.conn, case_id=case_id, for_update=True)
        if case is None:
            raise NotFound("case", case_id)
        if not case.is_open:
            raise FailedPrecondition(
                f"case {case.case_number} is CLOSED: its evidence chain takes no more items"
            )
        after, item = add_in(deps, tx, case, e)
        case_repo.save(tx.conn, case, after)
    return item


def get(deps: Deps, *, evidence_id: str) -> tuple[Item, bytes | None]:
    """One item, with its stored content (None when kept elsewhere)."""
    with deps.engine.connect() as conn:
        item = evidence_repo.get(conn, evidence_id=evidence_id)
    if item is None:
        raise NotFound("evidence", evidence_id)
    return item, deps.store.get(item.content_sha256) if item.stored_here else None


def get_all(deps: Deps, *, case_id: str, page_size: int, page_token: str) -> paging.Page[Item]:
    """A case's chain, in order, one page."""
    size, after = paging.page_size(page_size), paging.decode(page_token)
    with deps.engine.connect() as conn:
        if case_repo.get(conn, case_id=case_id) is None:
            raise NotFound("case", case_id)
        return evidence_repo.page(conn, case_id, size=size, after=after)


def content_of(deps: Deps, item: Item) -> bytes | None:
    """The stored content of an item kept here."""
    return deps.store.get(item.content_sha256) if item.stored_here else None


def verify(deps: Deps, *, case_id: str) -> Verdict:
    """Recompute a case's chain from the stored rows and files; also checks the sealed head is in it."""
    with deps.engine.connect() as conn:
        case = case_repo.get(conn, case_id=case_id)
        if case is None:
            raise NotFound("case", case_id)
        items = evidence_repo.chain(conn, case_id)
    verdict = chain.verify(items, lambda i: deps.store.get(i.content_sha256))
    sealed = case.locked_evidence_sha256
    if verdict.intact and sealed and all(i.item_sha256 != sealed for i in items):
        return Verdict(
            False,
            len(items),
            verdict.head_sha256,
            len(items),
            "the sealed head is no longer in the chain",
        )
    return verdict
