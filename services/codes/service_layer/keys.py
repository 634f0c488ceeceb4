"""Retiring a signing key: list the codes it signed, and rotate them onto the current signing key.

The procedure (README): add the new key first in ECO_CODES_KEYS, mark the old one in
ECO_CODES_RETIRED_KEYS, restart, RotateCodes(old), check ListCodes(old) is empty of active codes,
and only then remove the old key (its stickers then read as tampered instead of superseded).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.codes.adapters.repository import CodeRepository
from services.codes.domain import events as ev
from services.codes.domain import model
from services.codes.domain.model import VersionEnd
from services.codes.service_layer.codes import IssuedCode, present
from services.codes.service_layer.context import Context
from shared import paging
from shared.errors import InvalidArgument
from shared.unit_of_work import transaction

# Codes rotated per transaction: a big key retirement commits in steps, never one huge transaction.
ROTATE_BATCH = 100


@dataclass(frozen=True)
class CodePage:
    """One page of codes; `next_token` is empty on the last page."""

    codes: list[IssuedCode]
    next_token: str
    total: int


def _key_id(key_id: str) -> str:
    kid = key_id.strip()
    if not kid:
        raise InvalidArgument("key_id", "is required")
    return kid


def list_codes(ctx: Context, *, key_id: str, page_size: int, page_token: str) -> CodePage:
    """The codes whose current version `key_id` signed (active or revoked), by USCC, a page at a time."""
    kid = _key_id(key_id)
    size = paging.page_size(page_size)
    with ctx.engine.connect() as conn:
        repo = CodeRepository(conn)
        found = repo.get_page(key_id=kid, after=paging.decode(page_token) or "", limit=size + 1)
        total = repo.count(key_id=kid)
    page = paging.slice_page(found, size, lambda code: code.uscc, total)
    # A code whose key is gone entirely has no token to show; it is listed all the same.
    return CodePage([_presented(ctx, code) for code in page.items], page.next_token, page.total)


def _presented(ctx: Context, code: model.Code) -> IssuedCode:
    if ctx.keys.get(code.key_id) is None:
        return IssuedCode(code=code, token="", url="")
    return present(ctx, code)


def rotate_codes(ctx: Context, *, key_id: str, reason: str) -> int:
    """Rotate every active code signed by `key_id` onto the signing key; returns how many were rotated."""
    kid = _key_id(key_id)
    if kid == ctx.keys.signer.kid:
        raise InvalidArgument("key_id", f"{kid!r} is the current signing key: retire it first")
    why = model.clean_reason(reason, required=False) or f"signing key {kid} retired"
    rotated = 0
    while True:
        with transaction(ctx) as tx:
            repo = CodeRepository(tx.conn)
            batch = repo.get_page(key_id=kid, after="", limit=ROTATE_BATCH, active_only=True)
            for listed in batch:
                current = repo.get_or_raise(uscc=listed.uscc, for_update=True)
                # Rotated or revoked by someone else since the page was read: nothing to do here.
                if current.key_id != kid or current.status is not model.CodeStatus.ACTIVE:
                    continue
                code = model.rotate(current, ctx.keys.signer.kid, tx.now)
                repo.update(code_in=code, ended=VersionEnd.ROTATED, now=code.issued_at, reason=why)
                issued = present(ctx, code)
                tx.publish(
                    code.uscc,
                    ev.CodeRotated(
                        uscc=code.uscc,
                        previous_version=current.version,
                        version=code.version,
                        key_id=code.key_id,
                        url=issued.url,
                        reason=why,
                    ),
                )
                rotated += 1
        if len(batch) < ROTATE_BATCH:
            return rotated
