"""The gateway's HTTP edge (issue 10, points 3, 4, 6, 7, 8): size limits refused early, forwarded
headers only from configured proxies, security headers on every answer, /healthz detail only for
operators and the host, and the text rule on URLs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.edge.limits import API_LIMIT, HEADER_LIMIT, PUBLIC_FORM_LIMIT, SIGN_IN_LIMIT
from tests.unit.gateway.support import OFFICER_TOKEN, error_shape, gateway


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with gateway(tmp_path) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/c/sometoken/petitions", PUBLIC_FORM_LIMIT),
        ("/login", SIGN_IN_LIMIT),
        ("/api/v1/enterprises", API_LIMIT),
    ],
)
def test_a_body_over_its_routes_limit_is_413_in_the_error_shape(
    client: TestClient, path: str, limit: int
) -> None:
    response = client.post(path, content=b"text=" + b"x" * limit, headers={"content-type": "text/plain"})
    assert response.status_code == 413
    assert error_shape(response.json()) and response.json()["error"] == "PAYLOAD_TOO_LARGE"
    assert str(limit) in response.json()["message"]


def test_a_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    # (That it is refused before being read whole is shown over a real socket in test_served_gateway.)
    response = client.post("/c/sometoken/petitions", content=iter([b"x" * 65536] * 4))
    assert response.status_code == 413
    assert error_shape(response.json())


def test_a_small_form_still_reaches_its_route(client: TestClient) -> None:
    response = client.post("/login", data={"username": "edge.officer", "token": "wrong"})
    assert response.status_code == 401


def test_headers_over_the_limit_are_431(client: TestClient) -> None:
    response = client.get("/healthz", headers={"x-padding": "x" * (HEADER_LIMIT + 1)})
    assert response.status_code == 431
    assert error_shape(response.json())


def test_forwarded_for_from_an_unconfigured_peer_does_not_reset_the_public_limit(tmp_path: Path) -> None:
    with gateway(tmp_path, client=("127.0.0.1", 40000), ECO_PUBLIC_RATE_PER_MINUTE="2") as limited:
        codes = [
            limited.get("/c/token", headers={"x-forwarded-for": f"10.1.1.{i}"}).status_code for i in range(5)
        ]
    assert codes[:2] != [429, 429] and codes[2:] == [429, 429, 429]


def test_forwarded_for_from_a_configured_proxy_names_the_client(tmp_path: Path) -> None:
    with gateway(
        tmp_path,
        client=("10.0.0.9", 40000),
        ECO_PUBLIC_RATE_PER_MINUTE="2",
        ECO_GATEWAY_TRUSTED_PROXIES="10.0.0.0/8",
    ) as proxied:
        spread = [proxied.get("/c/token", headers={"x-forwarded-for": f"198.51.100.{i}"}) for i in range(5)]
        same = [proxied.get("/c/token", headers={"x-forwarded-for": "198.51.100.200"}) for _ in range(3)]
    assert 429 not in [r.status_code for r in spread]  # five different clients behind the proxy
    assert [r.status_code for r in same][2] == 429


SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/c/token"),
        ("GET", "/login"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/healthz"),
        ("GET", "/api/v1/search?q=x"),
        ("GET", "/console/map"),
        ("GET", "/no/such/route"),
        ("PUT", "/login"),
        ("POST", "/c/token/petitions"),
    ],
)
def test_every_answer_carries_the_security_headers(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, follow_redirects=False)
    for name in SECURITY_HEADERS:
        assert name in response.headers, (path, name)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "server" not in response.headers


def test_html_pages_run_only_their_own_nonced_inline_code(client: TestClient) -> None:
    response = client.get("/login")
    policy = response.headers["content-security-policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in response.text
    assert "unsafe-inline" not in policy
    assert client.get("/login").headers["content-security-policy"] != policy  # a new nonce each time


def test_healthz_gives_anonymous_callers_names_and_states_only(client: TestClient) -> None:
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503  # nothing runs behind this gateway
    assert set(body) == {"status", "services", "kafka", "elasticsearch", "database"}
    assert all(set(part) == {"status"} for part in body["services"].values())
    assert all(set(body[part]) == {"status"} for part in ("kafka", "elasticsearch", "database"))
    assert "127.0.0.1" not in response.text


def test_healthz_gives_operators_the_detail(client: TestClient) -> None:
    body = client.get("/healthz", headers={"authorization": f"Bearer {OFFICER_TOKEN}"}).json()
    assert body["host"] and body["database"]["backend"] == "sqlite"
    assert body["services"]["codes"]["address"] == "127.0.0.1:9"


def test_healthz_gives_the_local_host_the_detail(tmp_path: Path) -> None:
    with gateway(tmp_path, client=("127.0.0.1", 40000)) as local:
        assert "host" in local.get("/healthz").json()
    with gateway(tmp_path, client=("::1", 40000)) as local6:
        assert "host" in local6.get("/healthz").json()


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/search?q=a%00b", "q"),
        ("/api/v1/enterprises?town=%E2%80%AE", "town"),
        ("/api/v1/enterprises/9133%00", "path"),
        ("/c/tok%01en", "path"),
    ],
)
def test_control_characters_in_the_url_are_400_naming_the_parameter(
    client: TestClient, url: str, field: str
) -> None:
    response = client.get(url, headers={"authorization": f"Bearer {OFFICER_TOKEN}"})
    assert response.status_code == 400
    assert error_shape(response.json())
    assert response.json()["message"].startswith(f"{field}: must not contain")


def test_chinese_text_in_the_url_is_not_mistaken_for_controls(client: TestClient) -> None:
    response = client.get("/api/v1/search?q=浒山街道", headers={"authorization": f"Bearer {OFFICER_TOKEN}"})
    assert response.status_code != 400
