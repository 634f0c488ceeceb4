"""The account API over HTTP: an administrator creates, changes, disables, enables and resets
accounts and issues machine tokens; people sign in for a bearer session or the console's cookie;
every step is in the audit an administrator lists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway import operators
from tests.unit.gateway.support import error_shape, gateway

ADMIN = {"Authorization": "Bearer tok-account-admin"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with gateway(tmp_path, ECO_GATEWAY_LOCKOUT_FAILURES="2") as test_client:
        engine: Any = test_client.app.state.engine  # type: ignore[attr-defined]
        operators.create(
            engine, username="root", display_name="管理员", role="admin", token="tok-account-admin"
        )
        yield test_client


def _session(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/session", json={"username": username, "password": password})


def test_an_admin_creates_an_account_and_its_owner_signs_in_for_a_bearer_session(client: TestClient) -> None:
    body = {
        "username": "wang.grid",
        "display_name": "王网格",
        "role": "grid_commissioner",
        "password": "wang-grid-passphrase",
        "town": "浒山街道",
        "grid": "hushan-03",
    }
    created = client.post("/api/v1/accounts", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "grid_commissioner" and created.json()["has_password"]
    assert "password" not in created.json() and "password_hash" not in created.text
    again = client.post("/api/v1/accounts", json=body, headers=ADMIN)
    assert again.status_code == 409 and error_shape(again.json())

    opened = _session(client, "wang.grid", "wang-grid-passphrase")
    assert opened.status_code == 200, opened.text
    bearer = {"Authorization": f"Bearer {opened.json()['token']}"}
    me = client.get("/api/v1/session", headers=bearer).json()
    assert (me["role"], me["town"], me["grid"]) == ("grid_commissioner", "浒山街道", "hushan-03")
    # Not an administrator: the account API is closed to them.
    assert client.get("/api/v1/accounts", headers=bearer).status_code == 403
    assert client.delete("/api/v1/session", headers=bearer).json() == {"signed_out": True}
    assert client.get("/api/v1/session", headers=bearer).status_code == 401
    audit = client.get("/api/v1/audit/accounts", params={"username": "wang.grid"}, headers=ADMIN).json()
    assert [e["action"] for e in audit["entries"]] == ["sign_out", "sign_in", "account_created"]


def test_bad_accounts_are_refused_naming_the_field(client: TestClient) -> None:
    for body, field in (
        ({"username": "A b", "display_name": "x", "role": "viewer"}, "username"),
        ({"username": "ok.name", "display_name": "x", "role": "chief"}, "role"),
        ({"username": "ok.name", "display_name": "x", "role": "viewer", "password": "short"}, "password"),
        ({"username": "ok.name", "display_name": "x", "role": "grid_commissioner"}, "town"),
    ):
        refused = client.post("/api/v1/accounts", json=body, headers=ADMIN)
        assert refused.status_code == 400 and refused.json()["message"].startswith(f"{field}:"), refused.text


def test_disable_reset_lockout_and_tokens_with_their_audit(client: TestClient) -> None:
    account = {
        "username": "li.inspector",
        "display_name": "李",
        "role": "inspector",
        "password": "first-passphrase",
    }
    assert client.post("/api/v1/accounts", json=account, headers=ADMIN).status_code == 201
    # Two failures (ECO_GATEWAY_LOCKOUT_FAILURES=2) lock it; the right password is refused while locked.
    for _ in range(2):
        assert _session(client, "li.inspector", "wrong-passphrase").status_code == 401
    assert _session(client, "li.inspector", "first-passphrase").status_code == 401
    assert client.get("/api/v1/accounts/li.inspector", headers=ADMIN).json()["locked_until"]
    # A reset lifts the lock and sets the new password.
    reset = client.post(
        "/api/v1/accounts/li.inspector/password", json={"password": "second-passphrase"}, headers=ADMIN
    )
    assert reset.status_code == 200 and reset.json()["locked_until"] is None
    assert _session(client, "li.inspector", "first-passphrase").status_code == 401
    session = _session(client, "li.inspector", "second-passphrase")
    assert session.status_code == 200
    bearer = {"Authorization": f"Bearer {session.json()['token']}"}
    # A machine token for the account works like a session, until revoked.
    token = client.post("/api/v1/accounts/li.inspector/token", headers=ADMIN).json()["token"]
    machine = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/session", headers=machine).json()["username"] == "li.inspector"
    # Disabled: the session and the token stop at once, and signing in is refused.
    assert client.post("/api/v1/accounts/li.inspector/disable", headers=ADMIN).json()["disabled"] is True
    assert client.get("/api/v1/session", headers=bearer).status_code == 401
    assert client.get("/api/v1/session", headers=machine).status_code == 401
    assert _session(client, "li.inspector", "second-passphrase").status_code == 401
    assert client.post("/api/v1/accounts/li.inspector/enable", headers=ADMIN).json()["disabled"] is False
    assert client.get("/api/v1/session", headers=machine).status_code == 200
    assert client.delete("/api/v1/accounts/li.inspector/token", headers=ADMIN).json()["has_token"] is False
    assert client.get("/api/v1/session", headers=machine).status_code == 401
    # A new role ends the sessions; the account's changes are listed, newest first.
    session = _session(client, "li.inspector", "second-passphrase").json()["token"]
    assert (
        client.patch("/api/v1/accounts/li.inspector", json={"role": "viewer"}, headers=ADMIN).json()["role"]
        == "viewer"
    )
    assert client.get("/api/v1/session", headers={"Authorization": f"Bearer {session}"}).status_code == 401
    assert client.post("/api/v1/accounts/root/disable", headers=ADMIN).status_code == 409  # not oneself

    audit = client.get(
        "/api/v1/audit/accounts", params={"username": "li.inspector", "page_size": 100}, headers=ADMIN
    )
    entries = audit.json()["entries"]
    actions = [(e["action"], e["outcome"]) for e in entries]
    assert actions[0] == ("account_updated", "ok") and actions[-1] == ("account_created", "ok")
    for expected in (
        ("sign_in", "refused"),
        ("account_locked", "ok"),
        ("password_reset", "ok"),
        ("sign_in", "ok"),
        ("token_issued", "ok"),
        ("account_disabled", "ok"),
        ("account_enabled", "ok"),
        ("token_revoked", "ok"),
    ):
        assert expected in actions, expected
    assert {
        e["actor"] for e in entries if e["action"].startswith("account_") and e["action"] != "account_locked"
    } == {"root"}
    refused = [e for e in entries if e["outcome"] == "refused"]
    assert {e["detail"] for e in refused} >= {"wrong password", "account locked", "account disabled"}
    first = client.get(
        "/api/v1/audit/accounts", params={"username": "li.inspector", "page_size": 2}, headers=ADMIN
    ).json()
    second = client.get(
        "/api/v1/audit/accounts",
        params={"username": "li.inspector", "page_size": 2, "page_token": first["next_page_token"]},
        headers=ADMIN,
    ).json()
    assert [e["action"] for e in first["entries"] + second["entries"]] == [e["action"] for e in entries[:4]]


def test_the_console_signs_in_with_a_password_and_signs_out(client: TestClient) -> None:
    account = {
        "username": "zhou.dispatch",
        "display_name": "周",
        "role": "dispatcher",
        "password": "dispatch-passphrase",
    }
    assert client.post("/api/v1/accounts", json=account, headers=ADMIN).status_code == 201
    signed_in = client.post(
        "/login",
        data={"username": "zhou.dispatch", "password": "dispatch-passphrase", "next": "/console"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303 and operators.SESSION_COOKIE in signed_in.cookies
    cookie = client.cookies[operators.SESSION_COOKIE]
    # The cookie is not a bearer session: it is good for the console's own requests only.
    assert client.get("/api/v1/session", headers={"Authorization": f"Bearer {cookie}"}).status_code == 401
    assert client.get("/api/v1/session").json()["username"] == "zhou.dispatch"
    assert client.post("/logout", follow_redirects=False).status_code == 303
    client.cookies.set(operators.SESSION_COOKIE, cookie)
    assert client.get("/api/v1/session").status_code == 401
