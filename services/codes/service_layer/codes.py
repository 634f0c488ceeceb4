"""Issuing, reading, rotating, revoking and reissuing codes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from services.codes.adapters.repository import CodeRepository, StatusRepository
from services.codes.domain import events as ev
from services.codes.domain import model, token
from services.codes.domain import status as status_rules
from services.codes.domain.model import Code, VersionEnd
from services.codes.service_layer.context import Context
from shared.errors import AlreadyExists, FailedPrecondition, NotFound
from shared.unit_of_work import Tx, transaction
from shared.uscc import validate_uscc


@dataclass(frozen=True)
class IssuedCode:
    """A code with the token and URL of its current version."""

    code: Code
    token: str
    url: str


def present(ctx: Context, code: Code) -> IssuedCode:
    """The token and public URL of a code's current version."""
    key = ctx.keys.get(code.key_id)
    if key is None:
        raise FailedPrecondition(
            f"code of {code.uscc} was signed with key {code.key_id!r}, which is no longer configured: "
            "rotate the code"
        )
    signed = token.sign(key, code.uscc, code.version)
    return IssuedCode(code=code, token=signed, url=f"{ctx.public_base_url}/c/{signed}")


def ensure_code(tx: Tx, ctx: Context, *, uscc: str) -> IssuedCode | None:
    """Issue version 1 in the caller's transaction unless the enterprise has a code; the new code or None."""
    repo = CodeRepository(tx.conn)
    if repo.get(uscc=uscc, for_update=True) is not None:
        return None
    code = model.first(uscc, ctx.keys.signer.kid, tx.now)
    repo.create(code_in=code)
    issued = present(ctx, code)
    tx.publish(uscc, ev.CodeIssued(uscc=uscc, version=1, key_id=code.key_id, url=issued.url))
    return issued


def issue_code(ctx: Context, *, uscc: str) -> IssuedCode:
    """Issue the first code of a registered enterprise (ALREADY_EXISTS if it has one).

    An enterprise this service never heard of (its registration event predates this database, or
    has left Kafka's retention) is looked up in the registry and entered in the read model first."""
    key = validate_uscc(uscc)
    with ctx.engine.connect() as conn:
        known = StatusRepository(conn).get(uscc=key)
    # Asked outside any transaction: no row stays locked while another service answers.
    fetched = None if known is not None and known.registered else ctx.registry.get(uscc=key)
    if (known is None or not known.registered) and fetched is None:
        raise NotFound("enterprise", key)
    try:
        with transaction(ctx) as tx:
            if fetched is not None:
                statuses = StatusRepository(tx.conn)
                statuses.save(status_in=status_rules.apply_profile(statuses.lock(uscc=key), fetched))
            issued = ensure_code(tx, ctx, uscc=key)
            if issued is None:
                raise AlreadyExists("code of enterprise", key)
    except IntegrityError:  # a concurrent issue (or the registry event) won the race
        raise AlreadyExists("code of enterprise", key) from None
    return issued


def get_code(ctx: Context, *, uscc: str) -> IssuedCode:
    """The enterprise's current code."""
    key = validate_uscc(uscc)
    with ctx.engine.connect() as conn:
        return present(ctx, CodeRepository(conn).get_or_raise(uscc=key))


def rotate_code(ctx: Context, *, uscc: str, reason: str) -> IssuedCode:
    """A new version of an active code, signed with the current signing key; the old one is superseded."""
    key, why = validate_uscc(uscc), model.clean_reason(reason, required=False)
    with transaction(ctx) as tx:
        repo = CodeRepository(tx.conn)
        current = repo.get_or_raise(uscc=key, for_update=True)
        code = model.rotate(current, ctx.keys.signer.kid, tx.now)
        repo.update(code_in=code, ended=VersionEnd.ROTATED, now=code.issued_at, reason=why)
        issued = present(ctx, code)
        tx.publish(
            key,
            ev.CodeRotated(
                uscc=key,
                previous_version=current.version,
                version=code.version,
                key_id=code.key_id,
                url=issued.url,
                reason=why,
            ),
        )
    return issued


def revoke_code(ctx: Context, *, uscc: str, reason: str) -> IssuedCode:
    """Withdraw an active code; its token is refused as revoked."""
    key, why = validate_uscc(uscc), model.clean_reason(reason, required=True)
    with transaction(ctx) as tx:
        repo = CodeRepository(tx.conn)
        code = model.revoke(repo.get_or_raise(uscc=key, for_update=True), why, tx.now)
        repo.update(code_in=code, ended=VersionEnd.REVOKED, now=code.revoked_at or tx.now, reason=why)
        tx.publish(key, ev.CodeRevoked(uscc=key, version=code.version, reason=why))
    return present(ctx, code)


def reissue_code(ctx: Context, *, uscc: str, reason: str) -> IssuedCode:
    """A new active version after a revocation."""
    key, why = validate_uscc(uscc), model.clean_reason(reason, required=False)
    with transaction(ctx) as tx:
        repo = CodeRepository(tx.conn)
        code = model.reissue(repo.get_or_raise(uscc=key, for_update=True), ctx.keys.signer.kid, tx.now)
        # The revoked version was already ended by the revocation.
        repo.update(code_in=code, ended=None, now=code.issued_at, reason=why)
        issued = present(ctx, code)
        tx.publish(
            key,
            ev.CodeIssued(
                uscc=key, version=code.version, key_id=code.key_id, url=issued.url, reissue=True, reason=why
            ),
        )
    return issued
