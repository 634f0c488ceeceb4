"""Plain searches answered before routing (gateway.search.early): the same answer, body sent to
Elasticsearch and headers as the route's, and everything else left to the route."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from gateway import operators
from gateway.routers import search as search_router
from gateway.search import early
from tests.unit.gateway.support import OFFICER_TOKEN, error_shape, gateway

ANSWER = {
    "hits": {
        "total": {"value": 1},
        "hits": [
            {
                "_score": 3.5,
                "_source": {"kind": "enterprise", "ref": "91330282MA2AAAAAA1", "title": "慈溪市宗汉电镀厂"},
            }
        ],
    },
    "aggregations": {"kinds": {"buckets": [{"key": "enterprise", "doc_count": 1}]}},
}


class RecordingSearchClient:
    """Stands in for gateway.search.direct.SearchClient: records each body, answers ANSWER.

    Only the gateway's own logic is under test here (the early and the routed path build the same
    body and answer); Elasticsearch's behaviour is tested against the real server in
    tests/integration/search and tests/integration/gateway, whose operators' searches take the
    early path."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    async def search(self, index: str, body: dict[str, Any], *, filter_path: list[str]) -> dict[str, Any]:
        self.bodies.append(body)
        return ANSWER

    async def close(self) -> None:
        pass


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    # Every search reaches Elasticsearch (no recent answers), so each one's body can be compared.
    with gateway(tmp_path, ECO_SEARCH_RECENT_SECONDS="0") as test_client:
        test_client.app.state.search_direct = RecordingSearchClient()  # type: ignore[attr-defined]
        yield test_client


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests that went through routing (the route's operator dependency)."""
    seen: list[str] = []
    original = operators.current_on_loop

    async def counting(request: Any) -> operators.Operator:
        if getattr(request.state, "operator", None) is None:  # once a request (two dependencies ask)
            seen.append(request.url.path)
        return await original(request)

    monkeypatch.setattr(operators, "current_on_loop", counting)
    return seen


def _bodies(client: TestClient) -> list[dict[str, Any]]:
    fake: RecordingSearchClient = client.app.state.search_direct  # type: ignore[attr-defined]
    return fake.bodies


def _auth(token: str = OFFICER_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_known_operators_search_is_answered_early_exactly_as_the_route_answers(
    client: TestClient, routed: list[str]
) -> None:
    url = "/api/v1/search?q=宗汉电镀&town=宗汉&size=5&from=5"
    first = client.get(url, headers=_auth())  # the token is looked up: the route answers
    assert routed, "the first search was not routed"
    routed.clear()
    second = client.get(url, headers=_auth())
    assert routed == [], "a known operator's plain search went through routing"
    assert (first.status_code, first.content) == (second.status_code, second.content)
    assert first.json()["results"][0]["title"] == "慈溪市宗汉电镀厂"
    route_body, early_body = _bodies(client)
    assert route_body == early_body
    assert (early_body["from"], early_body["size"]) == (5, 5)
    assert set(first.headers) == set(second.headers)  # the edge's headers on both (CSP, trace id...)
    for name in ("content-type", "content-length", "x-frame-options", "referrer-policy"):
        assert first.headers[name] == second.headers[name], name
    assert second.headers["x-trace-id"] and second.headers["x-trace-id"] != first.headers["x-trace-id"]


def test_a_viewer_searched_early_still_never_sees_petitions(client: TestClient, routed: list[str]) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    operators.create(engine, username="early.viewer", display_name="V", role="viewer", token="tok-viewer")
    for _ in range(2):
        assert client.get("/api/v1/search?q=宗汉", headers=_auth("tok-viewer")).status_code == 200
    assert len(routed) == 1
    for body in _bodies(client):
        hidden = {"bool": {"must_not": [{"terms": {"kind": ["petition"]}}]}}
        assert hidden in body["query"]["bool"]["filter"]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("q=宗汉&size=0", 400, "size"),
        ("q=宗汉&size=abc", 400, "size"),
        ("q=宗汉&from=-1", 400, "from"),
        ("q=%20", 400, "q"),
        ("size=5", 400, "q"),
        ("q=宗汉&kind=nothing", 400, "kind"),
        ("q=宗汉&bbox=1,2", 400, "bbox"),
    ],
)
def test_bad_input_is_refused_by_the_route_in_its_own_words(
    client: TestClient, routed: list[str], query: str, status: int, field: str
) -> None:
    client.get("/api/v1/search?q=known", headers=_auth())  # the operator is now known
    routed.clear()
    answer = client.get(f"/api/v1/search?{query}", headers=_auth())
    assert answer.status_code == status
    assert error_shape(answer.json()) and field in answer.json()["message"], answer.json()
    assert routed == ["/api/v1/search"]
    assert len(_bodies(client)) == 1  # only the first search reached Elasticsearch


def test_repeated_parameters_and_unknown_tokens_go_to_the_route(
    client: TestClient, routed: list[str]
) -> None:
    client.get("/api/v1/search?q=known", headers=_auth())
    routed.clear()
    assert client.get("/api/v1/search?q=a&q=b", headers=_auth()).status_code == 200
    assert client.get("/api/v1/search?q=a", headers=_auth("tok-nobody")).status_code == 401
    assert client.get("/api/v1/search?q=a").status_code == 401
    assert routed == ["/api/v1/search"] * 3


def test_a_grid_commissioners_search_is_limited_to_their_town_by_the_route(
    client: TestClient, routed: list[str]
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    operators.create(
        engine,
        username="early.grid",
        display_name="G",
        role="grid_commissioner",
        token="tok-grid",
        town="宗汉",
    )
    for _ in range(2):
        assert client.get("/api/v1/search?q=电镀", headers=_auth("tok-grid")).status_code == 200
    assert client.get("/api/v1/search?q=电镀&town=浒山", headers=_auth("tok-grid")).status_code == 403
    assert len(routed) == 3
    for body in _bodies(client):
        assert {"term": {"town": "宗汉"}} in body["query"]["bool"]["filter"], body["query"]["bool"]["filter"]


def test_the_early_answer_knows_every_parameter_of_the_route() -> None:
    (route,) = [r for r in search_router.router.routes if isinstance(r, APIRoute)]
    declared = {p.alias or p.name for p in route.dependant.query_params}
    assert declared == set(early.TEXT) | set(early.NUMBERS)


def test_the_query_string_is_read_as_fastapi_reads_it() -> None:
    assert early.asked(b"q=%E5%AE%97%E6%B1%89&from=20&page_size=10&other=1") == search_router.Asked(
        q="宗汉", start=20, page_size=10
    )
    for query in ("size=5", "q=a&q=b", "q=a&size=+5", "q=a&size=5.0", "q=a&from=", "q=a&page_size=1e2"):
        assert early.asked(query.encode()) is None, query


def test_what_the_edge_refuses_is_refused_by_the_edge_even_for_a_known_operator(client: TestClient) -> None:
    client.get("/api/v1/search?q=known", headers=_auth())  # the operator is now known
    too_large = client.get("/api/v1/search?q=a", headers={**_auth(), "X-Filler": "x" * (17 * 1024)})
    assert too_large.status_code == 431 and error_shape(too_large.json()), too_large.text
    control = client.get("/api/v1/search?q=a%00b", headers=_auth())
    assert control.status_code == 400 and control.json()["message"].startswith("q:"), control.text
    for refused in (too_large, control):  # the edge's headers on its refusals, as on every answer
        assert refused.headers["x-trace-id"] and refused.headers["x-frame-options"] == "DENY"
    assert len(_bodies(client)) == 1  # neither reached Elasticsearch


def test_a_search_sent_with_a_body_goes_to_the_stack(client: TestClient, routed: list[str]) -> None:
    client.get("/api/v1/search?q=known", headers=_auth())
    routed.clear()
    answer = client.request("GET", "/api/v1/search?q=宗汉", headers=_auth(), content=b"{}")
    assert answer.status_code == 200
    assert routed == ["/api/v1/search"]  # the edge's body limit saw it, then the route answered


def test_an_early_answer_keeps_the_callers_trace_id(client: TestClient, routed: list[str]) -> None:
    client.get("/api/v1/search?q=known", headers=_auth())
    routed.clear()
    answer = client.get(
        "/api/v1/search?q=宗汉", headers={**_auth(), "X-Trace-Id": "0123456789abcdef0123456789abcdef"}
    )
    assert answer.status_code == 200 and routed == []
    assert answer.headers["x-trace-id"] == "0123456789abcdef0123456789abcdef"


def test_a_bug_in_an_early_answer_is_answered_in_the_apis_shape(
    client: TestClient, routed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get("/api/v1/search?q=known", headers=_auth())
    routed.clear()

    async def broken(state: Any, planned: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(search_router, "answer", broken)
    answer = client.get("/api/v1/search?q=宗汉", headers=_auth())
    assert answer.status_code == 500 and error_shape(answer.json()), answer.text
    assert answer.json()["trace_id"] == answer.headers["x-trace-id"]
    assert answer.headers["content-security-policy"] and routed == []


def test_a_trusted_proxys_forwarded_client_is_read_for_an_early_answer() -> None:
    async def stack(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not used")

    front = early.EarlySearch(stack, trusted_proxies=("10.0.0.1",))
    assert front._forwarded is not None
    scope: dict[str, Any] = {
        "type": "http",
        "scheme": "http",
        "client": ("10.0.0.1", 5000),
        "headers": [(b"x-forwarded-for", b"203.0.113.9"), (b"x-forwarded-proto", b"https")],
    }

    async def nothing() -> Any:
        return {}

    async def unused(message: Any) -> None:
        raise AssertionError("the rewrite sends nothing")

    forwarded = front._forwarded

    async def rewrite() -> None:
        await forwarded(scope, nothing, unused)

    asyncio.run(rewrite())
    assert scope["client"] == ("203.0.113.9", 0) and scope["scheme"] == "https"
    assert early.EarlySearch(stack)._forwarded is None  # no proxies configured: nothing read
