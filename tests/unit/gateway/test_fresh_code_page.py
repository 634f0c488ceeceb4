"""The public's fresh code page, answered before routing (gateway.public.fresh): the same page,
headers, rate limit and scan count as the route, and only for the anonymous public."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eco.v1 import codes_pb2
from gateway.public.live import Known, _Slot
from gateway.public.views import status_view
from gateway.routers.public import VARY
from tests.unit.gateway.support import OFFICER_TOKEN, gateway

USCC = "91330282MA2AAAAAA1"
NOT_ANSWERED = {"available": False, "reason": "not answered"}


def _known() -> Known:
    found = codes_pb2.ResolveTokenResponse(verdict=codes_pb2.TOKEN_VERDICT_VALID)
    found.status.uscc = USCC
    found.status.name = "慈溪市测试电镀有限公司"
    view = {
        **status_view(found.status),
        "last_inspection": NOT_ANSWERED,
        "open_rectifications": NOT_ANSWERED,
        "penalties_last_3_years": NOT_ANSWERED,
    }
    return Known(found, view, time.monotonic(), datetime.now(UTC))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    # A long freshness, so the status seeded below stays fresh for the whole test.
    with gateway(
        tmp_path, ECO_PUBLIC_RATE_PER_MINUTE="3", ECO_PUBLIC_STATUS_TTL_SECONDS="600"
    ) as test_client:
        slot = _Slot()
        slot.known = _known()
        test_client.app.state.live_status._slots["tok"] = slot  # type: ignore[attr-defined]
        yield test_client


def _scans(client: TestClient) -> int:
    return sum(client.app.state.scans._counts.values())  # type: ignore[attr-defined]


def test_a_fresh_page_carries_every_header_and_its_own_nonce(client: TestClient) -> None:
    page = client.get("/c/tok")
    assert page.status_code == 200 and USCC in page.text
    assert page.headers["vary"] == VARY and page.headers["x-trace-id"]
    assert page.headers["x-frame-options"] == "DENY"
    nonce = page.headers["content-security-policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in page.text
    assert client.get("/c/tok").headers["content-security-policy"] != page.headers["content-security-policy"]
    as_json = client.get("/c/tok", headers={"Accept": "application/json"})
    assert as_json.json()["uscc"] == USCC and as_json.headers["vary"] == VARY
    assert _scans(client) == 3


def test_head_has_gets_headers_without_a_body_and_is_not_a_scan(client: TestClient) -> None:
    head = client.head("/c/tok")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0 and head.headers["vary"] == VARY
    assert _scans(client) == 0


def test_the_rate_limit_counts_each_fresh_page_once(client: TestClient) -> None:
    assert [client.get("/c/tok").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/c/tok")
    assert refused.status_code == 429 and refused.headers["retry-after"]
    assert _scans(client) == 3


def test_an_officer_is_not_served_the_publics_page_before_routing(client: TestClient) -> None:
    # The route answers an officer: signed in, with no "staff sign-in" link and not counted twice.
    page = client.get("/c/tok", headers={"Authorization": f"Bearer {OFFICER_TOKEN}"})
    assert page.status_code == 200 and page.headers["vary"] == VARY
    assert "edge.officer" in page.text and "staff sign-in" not in page.text
    assert "staff sign-in" in client.get("/c/tok").text
    assert _scans(client) == 2
