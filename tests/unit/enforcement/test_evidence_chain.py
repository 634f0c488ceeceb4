"""The evidence chain: each item linked to the previous; a changed file or row breaks it at that item."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from services.enforcement.domain.evidence import GENESIS, Item, Kind, item_hash, sha256_hex, verify
from tests.unit.enforcement.factories import NOW, OFFICER


def _chain(contents: list[bytes]) -> list[Item]:
    items: list[Item] = []
    previous = GENESIS
    for n, content in enumerate(contents, start=1):
        item = Item(
            evidence_id=f"e{n}",
            case_id="c1",
            sequence=n,
            kind=Kind.READING,
            description="",
            media_type="text/plain",
            content_sha256=sha256_hex(content),
            content_uri="",
            size_bytes=len(content),
            previous_sha256=previous,
            item_sha256="",
            source_ref=f"ev-{n}",
            collected_at=NOW + timedelta(minutes=n),
            collected_by=OFFICER,
            location=None,
            recorded_at=NOW,
        )
        item = replace(item, item_sha256=item_hash(item))
        items.append(item)
        previous = item.item_sha256
    return items


CONTENTS = [b"reading 1", b"reading 2", b"photo", b"record"]


def test_an_untouched_chain_is_intact_with_its_head() -> None:
    items = _chain(CONTENTS)
    store = {i.content_sha256: c for i, c in zip(items, CONTENTS, strict=True)}
    verdict = verify(items, lambda i: store.get(i.content_sha256))
    assert verdict.intact and verdict.items == 4 and verdict.head_sha256 == items[-1].item_sha256
    assert items[0].previous_sha256 == GENESIS and items[1].previous_sha256 == items[0].item_sha256


def test_a_changed_stored_file_breaks_the_chain_at_its_item() -> None:
    items = _chain(CONTENTS)
    store = {i.content_sha256: c for i, c in zip(items, CONTENTS, strict=True)}
    store[items[2].content_sha256] = b"photoshopped"
    verdict = verify(items, lambda i: store.get(i.content_sha256))
    assert (verdict.intact, verdict.first_broken_sequence) == (False, 3)
    assert "stored content hashes to" in verdict.problem


def test_a_changed_row_breaks_the_chain_at_its_item() -> None:
    items = _chain(CONTENTS)
    store = {i.content_sha256: c for i, c in zip(items, CONTENTS, strict=True)}
    items[1] = replace(items[1], collected_at=items[1].collected_at + timedelta(hours=1))
    verdict = verify(items, lambda i: store.get(i.content_sha256))
    assert (verdict.intact, verdict.first_broken_sequence) == (False, 2)
    assert "recorded fields hash" in verdict.problem


def test_a_rehashed_row_still_breaks_the_next_link() -> None:
    items = _chain(CONTENTS)
    store = {i.content_sha256: c for i, c in zip(items, CONTENTS, strict=True)}
    forged = replace(items[1], source_ref="forged")
    items[1] = replace(forged, item_sha256=item_hash(forged))
    verdict = verify(items, lambda i: store.get(i.content_sha256))
    assert (verdict.intact, verdict.first_broken_sequence) == (False, 3)
    assert "links to" in verdict.problem


def test_a_missing_file_is_named() -> None:
    items = _chain(CONTENTS)
    verdict = verify(items, lambda i: None)
    assert (verdict.intact, verdict.first_broken_sequence) == (False, 1)
    assert "missing" in verdict.problem
