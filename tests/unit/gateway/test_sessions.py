"""Operator sessions: the signed cookie value, its expiry, and where a sign-in may send the browser."""

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from gateway import operators
from gateway.migrations import HISTORY
from gateway.routers.session import safe_next
from shared.db import make_engine
from shared.errors import Unauthenticated
from shared.migrations import upgrade

KEY = b"k" * 32
NOW = 1_800_000_000.0


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """The gateway's tables on SQLite, with one officer."""
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    upgrade(engine, HISTORY)
    operators.create(engine, username="zhou.li", display_name="周丽", role="officer", token="tok-zhou")
    return engine


def test_a_session_names_its_operator_until_it_expires(engine: Engine) -> None:
    officer = operators.sign_in(engine, username="zhou.li", token="tok-zhou")
    value = operators.session_value(KEY, engine, officer, now=NOW)
    assert operators.from_session(KEY, engine, value, now=NOW + 60) == officer
    assert operators.from_session(KEY, engine, value, now=NOW + operators.SESSION_SECONDS + 1) is None
    assert operators.from_session(b"x" * 32, engine, value, now=NOW) is None  # another process's key


def test_a_session_cannot_be_altered_or_outlive_its_token(engine: Engine) -> None:
    officer = operators.sign_in(engine, username="zhou.li", token="tok-zhou")
    name, expires, mac = operators.session_value(KEY, engine, officer, now=NOW).split(".")
    assert operators.from_session(KEY, engine, f"{name}.{int(expires) + 86400}.{mac}", now=NOW) is None
    operators.create(engine, username="admin", display_name="a", role="admin", token="tok-admin")
    assert operators.from_session(KEY, engine, f"YWRtaW4.{expires}.{mac}", now=NOW) is None
    for garbage in ("", "...", "x.y.z", "%%%.1.2", f"{name}.{expires}"):
        assert operators.from_session(KEY, engine, garbage, now=NOW) is None
    # Replacing the operator's token signs every session of theirs out.
    operators.create(engine, username="zhou.li", display_name="周丽", role="officer", token="tok-new")
    assert operators.from_session(KEY, engine, f"{name}.{expires}.{mac}", now=NOW) is None


@pytest.mark.parametrize(
    ("username", "token"), [("zhou.li", "wrong"), ("admin", "tok-zhou"), ("", ""), ("zhou.li", "")]
)
def test_sign_in_needs_the_matching_username_and_token(engine: Engine, username: str, token: str) -> None:
    with pytest.raises(Unauthenticated, match="unknown username or token"):
        operators.sign_in(engine, username=username, token=token)


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
    assert operators.get_by_token(engine, "tok-zhou") is not None
    with engine.begin() as conn:  # gone from the table behind the gateway's back
        conn.execute(operators.operators.delete())
    found = operators.get_by_token(engine, "tok-zhou")
    assert found is not None and found.username == "zhou.li"  # within TOKEN_TTL_SECONDS
    operators.create(engine, username="other", display_name="o", role="viewer", token="tok-other")
    assert operators.get_by_token(engine, "tok-zhou") is None  # a change in this process forgets
    assert operators.get_by_token(engine, "never-issued") is None
