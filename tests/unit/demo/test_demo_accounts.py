"""The demo's operators are made through the account API by the first administrator (the gateway
makes that account from ECO_GATEWAY_ADMIN_TOKEN), one per role, and the sign-ins printed work."""

from __future__ import annotations

from pathlib import Path

from deploy.demo import accounts
from gateway import roles
from tests.unit.gateway.support import gateway

ADMIN_TOKEN = "tok-first-admin"


def test_every_role_gets_an_account_through_the_api_and_its_printed_sign_in_works(tmp_path: Path) -> None:
    assert sorted(a.role for a in accounts.ACCOUNTS) == sorted(roles.ROLES)
    with gateway(tmp_path, ECO_GATEWAY_ADMIN_TOKEN=ADMIN_TOKEN) as client:
        lines = accounts.load(client, ADMIN_TOKEN)
        assert all("created" in line for line in lines), lines
        assert all(
            "password reset" in line for line in accounts.load(client, ADMIN_TOKEN)
        )  # again: resumable
        for account in accounts.ACCOUNTS:
            opened = client.post(
                "/api/v1/session", json={"username": account.username, "password": account.password}
            )
            assert opened.status_code == 200, (account.username, opened.text)
            me = client.get(
                "/api/v1/session", headers={"Authorization": f"Bearer {opened.json()['token']}"}
            ).json()
            assert (me["role"], me["town"]) == (account.role, account.town)
        audit = client.get(
            "/api/v1/audit/accounts",
            params={"action": "account_created", "page_size": 100},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ).json()
        # Made by the administrator over the API (the first administrator by the gateway itself).
        actors = {e["subject"]: e["actor"] for e in audit["entries"]}
        assert actors["admin"] == "system"
        assert {actors[a.username] for a in accounts.ACCOUNTS} == {"admin"}
    banner = accounts.sign_ins("http://127.0.0.1:8000")
    assert "http://127.0.0.1:8000/console" in banner
    assert all(f"{a.username} / {a.password}" in banner for a in accounts.ACCOUNTS)
