"""Operator sessions: signing in with a password, expiry, sign-out, lockout after repeated failures,
what ends a session, the audit of it all, and where a sign-in may send the browser."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gateway import accounts, audit, operators, passwords, sessions
from gateway.migrations import HISTORY
from gateway.routers.session import safe_next
from gateway.tables import accounts as accounts_table
from shared.db import make_engine
from shared.errors import InvalidArgument, Unauthenticated
from shared.migrations import upgrade

NOW = 1_800_000_000.0
POLICY = sessions.Policy(cookie_seconds=600, bearer_seconds=60, lockout_failures=3, lockout_seconds=300)
PASSWORD = "zhou-li-passphrase"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """The gateway's tables on SQLite, with one dispatcher."""
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    upgrade(engine, HISTORY)
    accounts.create(
        engine,
        username="zhou.li",
        display_name="周丽",
        role="dispatcher",
        password=PASSWORD,
        actor="admin",
        now=NOW,
    )
    return engine


def _sign_in(
    engine: Engine, password: str = PASSWORD, at: float = NOW, kind: str = sessions.BEARER
) -> sessions.Opened:
    return sessions.sign_in(
        engine, username="zhou.li", password=password, kind=kind, policy=POLICY, client="10.0.0.9", now=at
    )


def test_a_password_is_stored_as_argon2id_never_in_clear(engine: Engine) -> None:
    with engine.connect() as conn:
        stored = conn.execute(sa.select(accounts_table.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert passwords.verify(stored, PASSWORD) and not passwords.verify(stored, PASSWORD + "x")


def test_a_session_names_its_operator_until_it_expires(engine: Engine) -> None:
    opened = _sign_in(engine)
    assert opened.expires_at == NOW + POLICY.bearer_seconds
    row = sessions.resolve(engine, opened.value, now=NOW + 30)
    assert row is not None and row.username == "zhou.li" and row.role == "dispatcher"
    assert sessions.resolve(engine, opened.value, now=NOW + POLICY.bearer_seconds + 1) is None
    assert sessions.resolve(engine, opened.value, kind=sessions.COOKIE, now=NOW) is None  # not a cookie
    assert sessions.resolve(engine, opened.value[:-1] + "x", now=NOW) is None


@pytest.mark.parametrize(
    ("username", "password"), [("zhou.li", "wrong-passphrase"), ("nobody", PASSWORD), ("", "")]
)
def test_a_refusal_says_no_more_than_that_and_is_audited_with_its_reason(
    engine: Engine, username: str, password: str
) -> None:
    with pytest.raises(Unauthenticated) as refused:
        sessions.sign_in(
            engine, username=username, password=password, kind=sessions.BEARER, policy=POLICY, now=NOW
        )
    assert refused.value.message == sessions.REFUSAL
    entry = audit.list_entries(engine, action="sign_in").items[0]
    assert (entry.outcome, entry.subject) == (audit.REFUSED, username)
    assert entry.detail in ("wrong password", "no such account")


def test_repeated_failures_lock_the_account_for_a_while_even_for_the_right_password(engine: Engine) -> None:
    for attempt in range(POLICY.lockout_failures):
        with pytest.raises(Unauthenticated):
            _sign_in(engine, "wrong-passphrase", at=NOW + attempt)
    assert accounts.get(engine, "zhou.li").locked_until == NOW + 2 + POLICY.lockout_seconds
    with pytest.raises(Unauthenticated):
        _sign_in(engine, at=NOW + 10)  # the right password, but locked
    assert audit.list_entries(engine, action="account_locked").total == 1
    assert _sign_in(engine, at=NOW + 2 + POLICY.lockout_seconds + 1).username == "zhou.li"


def test_a_success_resets_the_count_of_failures(engine: Engine) -> None:
    for _ in range(POLICY.lockout_failures - 1):
        with pytest.raises(Unauthenticated):
            _sign_in(engine, "wrong-passphrase")
    _sign_in(engine)
    with pytest.raises(Unauthenticated):
        _sign_in(engine, "wrong-passphrase")
    assert accounts.get(engine, "zhou.li").locked_until == 0


def test_disabling_a_new_password_or_a_new_role_ends_every_session(engine: Engine) -> None:
    for change in (
        lambda: accounts.set_disabled(engine, "zhou.li", disabled=True, actor="admin", now=NOW),
        lambda: accounts.reset_password(
            engine, "zhou.li", password="a-new-passphrase", actor="admin", now=NOW
        ),
        lambda: accounts.update(engine, "zhou.li", role="inspector", actor="admin", now=NOW),
    ):
        accounts.set_disabled(engine, "zhou.li", disabled=False, actor="admin", now=NOW)
        current = PASSWORD if passwords.verify(_hash(engine), PASSWORD) else "a-new-passphrase"
        opened = _sign_in(engine, current)
        change()
        assert sessions.resolve(engine, opened.value, now=NOW + 1) is None
    actions = [e.action for e in audit.list_entries(engine, subject="zhou.li", page_size=100).items]
    assert {"account_disabled", "password_reset", "account_updated", "account_enabled", "sign_in"} <= set(
        actions
    )


def _hash(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.select(accounts_table.c.password_hash)).scalar_one())


def test_a_disabled_account_cannot_sign_in_nor_use_its_token(engine: Engine) -> None:
    token = accounts.issue_token(engine, "zhou.li", actor="admin")
    assert operators.get_by_token(engine, token) is not None
    accounts.set_disabled(engine, "zhou.li", disabled=True, actor="admin")
    assert operators.get_by_token(engine, token) is None  # a change in this process is seen at once
    with pytest.raises(Unauthenticated):
        _sign_in(engine)


def test_signing_out_ends_the_session_everywhere(engine: Engine) -> None:
    opened = _sign_in(engine, kind=sessions.COOKIE)
    assert sessions.sign_out(engine, opened.value, now=NOW + 1)
    assert sessions.resolve(engine, opened.value, now=NOW + 2) is None
    assert not sessions.sign_out(engine, opened.value, now=NOW + 3)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least"),
        ("x" * 201, "at most"),
        ("my-zhou.li-pass", "username"),
        ("tab\there-long", "printable"),
    ],
)
def test_a_weak_password_is_refused_naming_the_field(engine: Engine, password: str, reason: str) -> None:
    with pytest.raises(InvalidArgument, match=reason) as refused:
        accounts.reset_password(engine, "zhou.li", password=password, actor="admin")
    assert refused.value.field == "password"


def test_only_a_grid_commissioner_has_an_area_and_they_must_have_one(engine: Engine) -> None:
    with pytest.raises(InvalidArgument) as refused:
        accounts.create(
            engine, username="g1", display_name="g", role="grid_commissioner", password="a-long-passphrase"
        )
    assert refused.value.field == "town"
    with pytest.raises(InvalidArgument) as refused:
        accounts.create(
            engine,
            username="v1",
            display_name="v",
            role="viewer",
            town="浒山街道",
            password="a-long-passphrase",
        )
    assert refused.value.field == "town"
    with pytest.raises(InvalidArgument) as refused:
        accounts.create(engine, username="x1", display_name="x", role="chief", password="a-long-passphrase")
    assert refused.value.field == "role"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/c/AQAAAAEG", "/c/AQAAAAEG"),
        ("/api/v1/enterprises/x?y=1", "/api/v1/enterprises/x?y=1"),
        ("//evil.example/x", "/docs"),
        ("https://evil.example/", "/docs"),
        ("/\\evil.example", "/docs"),
        ("/c/x\r\nSet-Cookie: a=b", "/docs"),
        ("", "/docs"),
    ],
)
def test_after_sign_in_only_paths_of_this_site_are_followed(raw: str, expected: str) -> None:
    assert safe_next(raw) == expected


def test_an_operator_found_by_token_is_remembered_briefly_and_forgotten_on_change(engine: Engine) -> None:
    token = accounts.issue_token(engine, "zhou.li", actor="admin")
    assert operators.get_by_token(engine, token) is not None
    with engine.begin() as conn:  # gone from the table behind the gateway's back
        conn.execute(accounts_table.delete())
    found = operators.get_by_token(engine, token)
    assert found is not None and found.username == "zhou.li"  # within TOKEN_TTL_SECONDS
    operators.create(engine, username="other", display_name="o", role="viewer", token="tok-other")
    assert operators.get_by_token(engine, token) is None  # a change in this process forgets
    assert operators.get_by_token(engine, "never-issued") is None
