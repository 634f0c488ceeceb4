"""Operators' accounts for administrators: create, list, read, change, disable and enable, reset a
password, issue or revoke a machine token; and the audit of every sign-in and change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from gateway import accounts, audit, operators, roles
from gateway.contract import Out
from gateway.errors import API_ERRORS
from gateway.inputs import In
from shared.china_time import local_iso

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=API_ERRORS)
Admin = Annotated[operators.Operator, Depends(operators.require(roles.ADMIN))]
PAGE_SIZE = Query(50, ge=1, le=500)


def _iso(epoch: float) -> str | None:
    return local_iso(datetime.fromtimestamp(epoch, UTC)) if epoch else None


class AccountIn(In):
    """A new operator account. A grid commissioner's names their town (and may name one grid)."""

    username: str = Field(examples=["zhou.li"], description="2-64 of a-z 0-9 . _ -")
    display_name: str = Field(examples=["周丽"])
    role: str = Field(examples=["dispatcher"], description=f"One of: {', '.join(roles.ROLES)}")
    password: str = Field(
        default="", examples=["correct horse battery"], description="at least 10 characters"
    )
    town: str = Field(default="", examples=[""], description="grid commissioners only")
    grid: str = Field(default="", examples=[""], description="grid commissioners only")


class AccountPatch(In):
    """Fields to change; a new role or area ends the account's sessions."""

    display_name: str | None = Field(default=None, examples=["周丽"])
    role: str | None = Field(default=None, examples=["inspector"])
    town: str | None = None
    grid: str | None = None


class PasswordIn(In):
    """A new password (the lockout is lifted; every session of the account ends)."""

    password: str = Field(examples=["another long passphrase"])


class AccountOut(Out):
    """An operator account (never its password or token)."""

    username: str = Field(examples=["zhou.li"])
    display_name: str = Field(examples=["周丽"])
    role: str = Field(examples=["dispatcher"])
    town: str = ""
    grid: str = ""
    disabled: bool = False
    locked_until: str | None = Field(default=None, description="set while repeated failures lock it")
    has_password: bool = True
    has_token: bool = False
    created_at: str | None = None
    updated_at: str | None = None


class AccountsOut(Out):
    """A page of accounts."""

    accounts: list[AccountOut]
    next_page_token: str = ""
    total: int = 0


class TokenOut(Out):
    """A machine client's token, shown once (the gateway keeps only its hash)."""

    username: str
    token: str


class AuditEntryOut(Out):
    """One audited sign-in, sign-out or change."""

    at: str = Field(examples=["2026-12-02T08:30:00+08:00"])
    actor: str = Field(examples=["admin"])
    action: str = Field(examples=["sign_in"], description=f"One of: {', '.join(audit.ACTIONS)}")
    subject: str = Field(examples=["zhou.li"])
    outcome: str = Field(examples=["ok"], description="ok | refused")
    client: str = ""
    detail: str = ""


class AuditOut(Out):
    """A page of the audit, newest first."""

    entries: list[AuditEntryOut]
    next_page_token: str = ""
    total: int = 0


def _out(account: accounts.Account) -> AccountOut:
    now_locked = account.locked_until if account.locked_until > datetime.now(UTC).timestamp() else 0.0
    return AccountOut(
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        town=account.town,
        grid=account.grid,
        disabled=account.disabled,
        locked_until=_iso(now_locked),
        has_password=account.has_password,
        has_token=account.has_token,
        created_at=_iso(account.created_at),
        updated_at=_iso(account.updated_at),
    )


@router.post("/accounts", response_model=AccountOut, status_code=status.HTTP_201_CREATED)
def create_account(account_in: AccountIn, request: Request, admin: Admin) -> AccountOut:
    """Create an operator account (409 if the username is taken)."""
    made = accounts.create(
        request.app.state.engine,
        **account_in.model_dump(),
        actor=admin.username,
        client=operators.client_address(request),
    )
    return _out(made)


@router.get("/accounts", response_model=AccountsOut)
def list_accounts(
    request: Request,
    _: Admin,
    role: str = Query("", description=f"One of: {', '.join(roles.ROLES)}"),
    town: str = "",
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> AccountsOut:
    """Accounts by username, optionally of one role or town."""
    page = accounts.list_accounts(
        request.app.state.engine, role=role, town=town, page_size=page_size, page_token=page_token
    )
    return AccountsOut(
        accounts=[_out(a) for a in page.items], next_page_token=page.next_token, total=page.total
    )


@router.get("/accounts/{username}", response_model=AccountOut)
def get_account(username: str, request: Request, _: Admin) -> AccountOut:
    """One account."""
    return _out(accounts.get(request.app.state.engine, username))


@router.patch("/accounts/{username}", response_model=AccountOut)
def update_account(username: str, patch: AccountPatch, request: Request, admin: Admin) -> AccountOut:
    """Change an account's name, role or area."""
    changed = accounts.update(
        request.app.state.engine,
        username,
        **patch.model_dump(),
        actor=admin.username,
        client=operators.client_address(request),
    )
    return _out(changed)


@router.post("/accounts/{username}/disable", response_model=AccountOut)
def disable_account(username: str, request: Request, admin: Admin) -> AccountOut:
    """Disable an account: its sessions end and its token is refused (an admin cannot disable their own)."""
    return _out(
        accounts.set_disabled(
            request.app.state.engine,
            username,
            disabled=True,
            actor=admin.username,
            client=operators.client_address(request),
        )
    )


@router.post("/accounts/{username}/enable", response_model=AccountOut)
def enable_account(username: str, request: Request, admin: Admin) -> AccountOut:
    """Enable a disabled account again (its lockout is lifted too)."""
    return _out(
        accounts.set_disabled(
            request.app.state.engine,
            username,
            disabled=False,
            actor=admin.username,
            client=operators.client_address(request),
        )
    )


@router.post("/accounts/{username}/password", response_model=AccountOut)
async def reset_password(username: str, body: PasswordIn, request: Request, admin: Admin) -> AccountOut:
    """Reset the account's password (hashing takes a while: done off the event loop)."""
    engine = request.app.state.engine
    return _out(
        await run_in_threadpool(
            accounts.reset_password,
            engine,
            username,
            password=body.password,
            actor=admin.username,
            client=operators.client_address(request),
        )
    )


@router.post("/accounts/{username}/token", response_model=TokenOut, status_code=status.HTTP_201_CREATED)
def issue_token(username: str, request: Request, admin: Admin) -> TokenOut:
    """Issue a machine client's token for the account (the one before it stops working)."""
    token = accounts.issue_token(
        request.app.state.engine, username, actor=admin.username, client=operators.client_address(request)
    )
    return TokenOut(username=username, token=token)


@router.delete("/accounts/{username}/token", response_model=AccountOut)
def revoke_token(username: str, request: Request, admin: Admin) -> AccountOut:
    """Withdraw the account's machine token."""
    return _out(
        accounts.revoke_token(
            request.app.state.engine, username, actor=admin.username, client=operators.client_address(request)
        )
    )


@router.get("/audit/accounts", response_model=AuditOut)
def account_audit(
    request: Request,
    _: Admin,
    username: str = Query("", description="Only entries about this account"),
    action: str = Query("", description=f"One of: {', '.join(audit.ACTIONS)}"),
    outcome: str = Query("", description="ok | refused"),
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> AuditOut:
    """Every sign-in (refusals with their reason), sign-out and account change, newest first."""
    page = audit.list_entries(
        request.app.state.engine,
        subject=username,
        action=action,
        outcome=outcome,
        page_size=page_size,
        page_token=page_token,
    )
    entries = [
        AuditEntryOut(
            at=_iso(e.at) or "",
            actor=e.actor,
            action=e.action,
            subject=e.subject,
            outcome=e.outcome,
            client=e.client,
            detail=e.detail,
        )
        for e in page.items
    ]
    return AuditOut(entries=entries, next_page_token=page.next_token, total=page.total)
