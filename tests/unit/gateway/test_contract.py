"""The OpenAPI document describes what the gateway answers (issue 10, points 9 and 10): refusals in
the error shape are documented on every route and match real answers, 405 names every method of a
path, /login and /logout declare their content types, HEAD /login answers, and a signed-out session
stops working on the server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway import operators, roles
from tests.unit.gateway.support import OFFICER_PASSWORD, error_shape, gateway


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with gateway(tmp_path) as test_client:
        yield test_client


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_every_api_route_documents_its_refusals_in_the_error_shape(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "ErrorOut" in document["components"]["schemas"]
    api = [(p, m, o) for p, m, o in _operations(document) if p.startswith("/api/")]
    assert len(api) >= 15
    for path, method, operation in api:
        for status in ("400", "401", "403", "404", "503"):
            documented = operation["responses"].get(status)
            assert documented, f"{method.upper()} {path} does not document {status}"
            schema = documented["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (path, status)
        assert "422" not in operation["responses"], f"{path}: 422 is never answered (400 is)"


def test_each_api_routes_documented_refusal_matches_a_real_answer(client: TestClient) -> None:
    """Called with no credentials, every operators' route answers a status it documents, in the
    documented error shape (the request needs nothing else to be refused)."""
    document = client.get("/openapi.json").json()
    for path, method, operation in _operations(document):
        if not path.startswith("/api/") or roles.rule_for(method.upper(), path).public:
            continue
        url = re.sub(r"\{[^}]+\}", "91330100716105852F", path)
        answer = client.request(
            method.upper(), url, params={"q": "x", "from": "2026-01-01", "to": "2026-01-02"}
        )
        assert str(answer.status_code) in operation["responses"], (method, path, answer.status_code)
        assert answer.status_code == 401, (method, path, answer.text)
        assert error_shape(answer.json()), (path, answer.json())


def test_sign_in_and_out_declare_their_content_types(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "text/html" in paths["/login"]["get"]["responses"]["200"]["content"]
    post = paths["/login"]["post"]
    assert "application/x-www-form-urlencoded" in post["requestBody"]["content"]
    assert set(post["responses"]) >= {"200", "303", "400", "401", "429"}
    assert "303" in paths["/logout"]["post"]["responses"]
    form = client.get("/login")
    assert form.headers["content-type"].startswith("text/html")


def test_a_method_a_path_does_not_take_is_405_naming_every_method_it_does(client: TestClient) -> None:
    response = client.put("/login")
    assert response.status_code == 405
    assert error_shape(response.json()) and response.json()["error"] == "METHOD_NOT_ALLOWED"
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_an_unknown_route_is_404_in_the_error_shape(client: TestClient) -> None:
    response = client.get("/no/such/thing")
    assert response.status_code == 404 and error_shape(response.json())


def test_head_login_answers_like_get_without_a_body(client: TestClient) -> None:
    head = client.head("/login")
    assert head.status_code == 200
    assert head.headers["content-type"].startswith("text/html")
    assert head.content == b""


def test_a_signed_out_session_cookie_no_longer_works(client: TestClient) -> None:
    signed_in = client.post(
        "/login",
        data={"username": "edge.officer", "password": OFFICER_PASSWORD, "next": "/console"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    cookie = client.cookies[operators.SESSION_COOKIE]
    assert client.get("/console", follow_redirects=False).status_code == 200
    assert client.post("/logout", follow_redirects=False).status_code == 303
    # A copy of the cookie (kept by another tab, or stolen) is refused now, well before it expires.
    client.cookies.set(operators.SESSION_COOKIE, cookie)
    assert client.get("/console", follow_redirects=False).status_code == 303
