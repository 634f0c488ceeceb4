"""Retiring a signing key: old stickers stay readable (then superseded), the key signs nothing new,
RotateCodes moves its codes to the current key, and only a key removed entirely reads as tampered."""

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.codes.adapters.tables import code_versions
from services.codes.domain.token import KeyRing, Verdict
from services.codes.migrations import HISTORY
from services.codes.service_layer import codes, keys, render, resolve
from services.codes.service_layer.context import Context
from shared.clock import ManualClock
from shared.consumer import EventConsumer
from shared.db import make_engine
from shared.errors import FailedPrecondition, InvalidArgument
from shared.migrations import UnknownHistory, upgrade
from tests.unit.codes import factories
from tests.unit.codes.factories import OLD_KEY, TEST_KEY, make_uscc


def _verdict(ctx: Context, token: str) -> Verdict:
    return resolve.resolve_token(ctx, token=token, record_scan=False).verdict


def test_a_retired_key_is_rotated_away_then_removed(ctx: Context, consumer: EventConsumer) -> None:
    ctx.keys = KeyRing([OLD_KEY])
    usccs = sorted(make_uscc() for _ in range(3))
    for uscc in usccs:
        assert consumer.handle_raw(factories.registered(uscc).SerializeToString())
    old_tokens = {u: codes.get_code(ctx, uscc=u).token for u in usccs}
    codes.revoke_code(ctx, uscc=usccs[2], reason="closed down")

    # Step 1: the new key signs, the old one is retired: its current stickers still read as valid...
    ctx.keys = KeyRing([OLD_KEY, TEST_KEY], retired={OLD_KEY.kid})
    assert ctx.keys.signer is TEST_KEY
    assert _verdict(ctx, old_tokens[usccs[0]]) is Verdict.VALID
    # ... but nothing new is printed with it.
    with pytest.raises(FailedPrecondition, match="retired key"):
        render.render_code(ctx, uscc=usccs[0], fmt=render.Format.SVG)

    # Step 2: list what it signed (paged), rotate the active ones.
    first = keys.list_codes(ctx, key_id=OLD_KEY.kid, page_size=2, page_token="")
    second = keys.list_codes(ctx, key_id=OLD_KEY.kid, page_size=2, page_token=first.next_token)
    assert [c.code.uscc for c in first.codes + second.codes] == usccs
    assert (first.total, second.next_token) == (3, "")
    assert keys.rotate_codes(ctx, key_id=OLD_KEY.kid, reason="") == 2
    assert keys.rotate_codes(ctx, key_id=OLD_KEY.kid, reason="") == 0  # nothing left to do

    for uscc in usccs[:2]:
        current = codes.get_code(ctx, uscc=uscc)
        assert (current.code.version, current.code.key_id) == (2, TEST_KEY.kid)
        assert _verdict(ctx, current.token) is Verdict.VALID
        assert _verdict(ctx, old_tokens[uscc]) is Verdict.SUPERSEDED
    assert render.render_code(ctx, uscc=usccs[0], fmt=render.Format.SVG).version == 2
    # Only the revoked code is still on the old key; it gets the new key when reissued.
    assert [
        c.code.uscc for c in keys.list_codes(ctx, key_id=OLD_KEY.kid, page_size=0, page_token="").codes
    ] == [usccs[2]]
    assert codes.reissue_code(ctx, uscc=usccs[2], reason="reopened").code.key_id == TEST_KEY.kid

    with ctx.engine.connect() as conn:
        v1 = conn.execute(
            sa.select(code_versions).where(code_versions.c.uscc == usccs[0], code_versions.c.version == 1)
        ).one()
    # Why v1 was issued stays apart from why it ended.
    assert (v1.reason, v1.ended_by, v1.end_reason) == ("", "rotated", f"signing key {OLD_KEY.kid} retired")

    # Step 3: the key is removed from the configuration: its stickers are now anyone's forgery.
    ctx.keys = KeyRing([TEST_KEY])
    assert _verdict(ctx, old_tokens[usccs[0]]) is Verdict.TAMPERED


def test_rotating_codes_needs_a_key_that_is_not_the_signer(ctx: Context) -> None:
    for key_id in ("", "  ", TEST_KEY.kid):
        with pytest.raises(InvalidArgument) as err:
            keys.rotate_codes(ctx, key_id=key_id, reason="")
        assert err.value.field == "key_id"
    with pytest.raises(InvalidArgument) as bad_page:
        keys.list_codes(ctx, key_id=OLD_KEY.kid, page_size=10, page_token="%%%")
    assert bad_page.value.field == "page.page_token"


def test_a_database_from_before_the_end_reason_column_is_refused_by_name(tmp_path: Path) -> None:
    """Numbered migration 101 (end_reason) is part of the Alembic baseline now: a database that the
    old mechanism left at 100 is partial and refused with the versions it lacks, not half-adopted."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT)"))
        conn.execute(sa.text("INSERT INTO schema_migrations VALUES (1, 'a'), (2, 'b'), (100, 'codes')"))
        conn.execute(sa.text("CREATE TABLE code_versions (uscc TEXT, version INTEGER)"))
    with pytest.raises(UnknownHistory, match=r"partial: versions \[101, 102\]"):
        upgrade(engine, HISTORY)
    # A database made from scratch has the column.
    fresh = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert sorted(upgrade(fresh, HISTORY)) == ["codes_0102", "shared_0002"]
    with fresh.begin() as conn:
        conn.execute(
            code_versions.insert().values(
                uscc="91330100716105852F", version=1, key_id="k", issued_at=factories.T0, reason="first"
            )
        )
        assert conn.execute(sa.select(code_versions.c.end_reason)).scalar_one() == ""


def test_time_moves_on_between_rotations(ctx: Context, consumer: EventConsumer) -> None:
    """Each rotated version carries the time it was made (the clock of the rotation, not of the issue)."""
    ctx.keys = KeyRing([OLD_KEY])
    uscc = make_uscc()
    consumer.handle_raw(factories.registered(uscc).SerializeToString())
    clock = ctx.clock
    assert isinstance(clock, ManualClock)
    clock.set(factories.T0 + timedelta(days=3))
    ctx.keys = KeyRing([TEST_KEY, OLD_KEY], retired={OLD_KEY.kid})
    keys.rotate_codes(ctx, key_id=OLD_KEY.kid, reason="annual key change")
    assert codes.get_code(ctx, uscc=uscc).code.issued_at == factories.T0 + timedelta(days=3)
