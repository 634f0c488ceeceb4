"""The demo's operators, one per role, created through the gateway's account API (never by writing
its tables), as an administrator would: signed in with the first administrator's token
(ECO_GATEWAY_ADMIN_TOKEN, which the gateway turns into the "admin" account at start-up).

Passwords are the demo's own, printed with the sign-ins; running again resets them to these, so the
printed sign-ins always work. Development only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx

from gateway import config as gateway_config

ADMIN_TOKEN = os.environ.get("ECO_GATEWAY_ADMIN_TOKEN", "dev-admin-token")
TIMEOUT = 30.0  # argon2id hashing takes a moment per account


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    password: str
    town: str = ""


ACCOUNTS = [
    DemoAccount("chen.admin", "平台管理员 陈", "admin", "cixi-demo-admin"),
    DemoAccount("wang.dispatch", "指挥中心 王", "dispatcher", "cixi-demo-dispatcher"),
    DemoAccount("li.inspect", "监察员 李", "inspector", "cixi-demo-inspector"),
    DemoAccount("zhao.permits", "许可科 赵", "permit_officer", "cixi-demo-permits"),
    DemoAccount("sun.risk", "风险科 孙", "risk_officer", "cixi-demo-risk"),
    DemoAccount("zhou.eval", "评价科 周", "evaluator", "cixi-demo-evaluator"),
    DemoAccount("wu.hushan", "浒山网格员 吴", "grid_commissioner", "cixi-demo-grid", town="浒山"),
    DemoAccount("zheng.view", "领导查看 郑", "viewer", "cixi-demo-viewer"),
]


def base_url() -> str:
    """The gateway's address, as its settings say."""
    settings = gateway_config.load()
    return f"http://{settings.host}:{settings.port}"


def load(client: httpx.Client | None = None, token: str = ADMIN_TOKEN) -> list[str]:
    """Create (or reset the password of) every demo account through the account API (the gateway's
    address from its settings unless a client is given); returns a line per account."""
    if client is None:
        with httpx.Client(base_url=base_url(), timeout=TIMEOUT) as own:
            return load(own, token)
    headers = {"Authorization": f"Bearer {token}"}
    lines = []
    for account in ACCOUNTS:
        body = {
            "username": account.username,
            "display_name": account.display_name,
            "role": account.role,
            "password": account.password,
            "town": account.town,
        }
        created = client.post("/api/v1/accounts", json=body, headers=headers)
        if created.status_code == 409:  # there from an earlier load: make the printed password true
            path = f"/api/v1/accounts/{account.username}/password"
            client.post(path, json={"password": account.password}, headers=headers).raise_for_status()
            lines.append(f"{account.username}: there already; password reset")
        else:
            created.raise_for_status()
            lines.append(f"{account.username}: created ({account.role})")
    return lines


def sign_ins(url: str | None = None) -> str:
    """The console's address and a sign-in for each role, for the start-up banner."""
    where = url or base_url()
    rows = [f"  Console                {where}/console   (sign in at {where}/login)"]
    for account in ACCOUNTS:
        area = f" ({account.town})" if account.town else ""
        rows.append(f"    {account.role + area:<24} {account.username} / {account.password}")
    rows.append(
        f"  API sign-in            POST {where}/api/v1/session {{username, password}} -> bearer token"
    )
    return "\n".join(rows)


if __name__ == "__main__":
    print(sign_ins())
