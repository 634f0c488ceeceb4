"""The gateway's problem-ledger and case routes against a real enforcement service (PostgreSQL,
Kafka): the whole loop over REST with role checks, filters and paging, enforcement's refusals as
HTTP with the same message; and the code page showing a penalty once it is decided, with nothing
internal (notes, evidence, the deciding officer) on it."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.runtime import RunningService
from tests.integration.codes.harness import CodesHarness, running_codes
from tests.integration.enforcement.conftest import Enforcement
from tests.integration.enforcement.grids import city
from tests.integration.gateway_public.harness import dead_address, gateway, operator_headers
from tests.support import infra
from tests.unit.codes.factories import make_uscc

pytestmark = pytest.mark.integration


@pytest.fixture
def client(enforcement: Enforcement, tmp_path: Path) -> Iterator[TestClient]:
    """The gateway calling the real enforcement service (the code service is away)."""
    city(enforcement)
    with gateway(
        tmp_path, codes_address=dead_address(), enforcement_address=enforcement.service.address
    ) as c:
        yield c


def _when(e: Enforcement, delta: timedelta) -> str:
    return (e.clock.now() + delta).isoformat()


def _open(client: TestClient, headers: dict[str, str], **fields: object) -> dict[str, object]:
    body = {"title": "河面异味", "category": "water", "lat": 30.15, "lon": 121.25, **fields}
    answer = client.post("/api/v1/problems", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _through_decision(
    client: TestClient, e: Enforcement, officer: dict[str, str], case_id: str, **decision: object
) -> dict[str, object]:
    """Trace, add evidence, lock, investigate and decide a case over REST; the decided case."""
    steps: list[tuple[str, dict[str, object]]] = [
        ("trace", {"responsible_uscc": decision.pop("uscc", ""), "note": "上游排口"}),
    ]
    for step, body in steps:
        assert client.post(f"/api/v1/cases/{case_id}/{step}", json=body, headers=officer).status_code == 200
    photo = {
        "kind": "photo",
        "media_type": "image/jpeg",
        "content_base64": base64.b64encode(b"\xff\xd8x").decode(),
    }
    item = client.post(f"/api/v1/cases/{case_id}/evidence", json=photo, headers=officer)
    assert item.status_code == 201, item.text
    locked = client.post(
        f"/api/v1/cases/{case_id}/lock-evidence",
        json={"expected_head_sha256": item.json()["item_sha256"]},
        headers=officer,
    )
    assert locked.status_code == 200, locked.text
    investigation = {
        "findings": "COD 超标排放",
        "violations": ["COD"],
        "harm": "slight",
        "inspector_ids": ["insp-secret-1", "insp-secret-2"],
        "reason": "internal note: 现场笔录另存",
    }
    answer = client.post(f"/api/v1/cases/{case_id}/investigation", json=investigation, headers=officer)
    assert answer.status_code == 200, answer.text
    body = {
        "document_number": infra.unique("慈环罚〔2026〕"),
        "legal_basis": "WPPL-83-2",
        "penalties": ["fine"],
        "fine_fen": 20_000_000,
        "rectify_by": _when(e, timedelta(days=30)),
        "reason": "internal note: 集体讨论",
        **decision,
    }
    decided = client.post(f"/api/v1/cases/{case_id}/decision", json=body, headers=officer)
    assert decided.status_code == 200, decided.text
    return decided.json()  # type: ignore[no-any-return]


def test_the_loop_over_rest_with_roles_filters_paging_and_refusals(
    client: TestClient, enforcement: Enforcement
) -> None:
    e = enforcement
    officer, viewer = (operator_headers(client, role) for role in ("officer", "viewer"))
    # A grid commissioner's account names their area: the "west" grid lies in 浒山.
    grid = operator_headers(client, "grid", town="浒山")
    uscc = make_uscc()
    problem = _open(client, grid, uscc=uscc, severity="high", source_ref=infra.unique("ref-"))
    assert (problem["grid_id"], problem["town"], problem["stage"], problem["source"]) == (
        "west",
        "浒山",
        "discovered",
        "manual",
    )
    assert problem["opened_by"]["user"].startswith("op-")  # type: ignore[index]
    again = _open(client, grid, uscc=uscc, source_ref=problem["source_ref"])
    assert again["problem_id"] == problem["problem_id"]

    refused = client.post(
        "/api/v1/problems", json={"title": "x", "lat": 30.15, "lon": 121.25}, headers=viewer
    )
    assert refused.status_code == 403
    bad = client.post(
        "/api/v1/problems",
        json={"title": "x", "lat": 30.15, "lon": 121.25, "severity": "urgent"},
        headers=grid,
    )
    assert bad.status_code == 400 and bad.json()["message"].startswith("severity:"), bad.text
    bad = client.get("/api/v1/problems", params={"severity": ["high", "urgent"]}, headers=viewer)
    assert bad.status_code == 403  # viewers do not read the ledger
    bad = client.get("/api/v1/problems", params={"severity": ["high", "urgent"]}, headers=officer)
    assert bad.status_code == 400 and bad.json()["message"].startswith("severities[1]:"), bad.text

    case_id = str(problem["case_id"])
    early = client.post(f"/api/v1/cases/{case_id}/lock-evidence", json={}, headers=officer)
    assert early.status_code == 409 and "is DISCOVERED" in early.json()["message"]
    forbidden = client.post(f"/api/v1/cases/{case_id}/decision", json={}, headers=grid)
    assert forbidden.status_code == 403

    decided = _through_decision(client, e, officer, case_id, uscc=uscc)
    assert decided["stage"] == "decided" and decided["decision"]["penalties"] == ["fine"]  # type: ignore[index]
    check = client.get(f"/api/v1/cases/{case_id}/evidence/verify", headers=officer).json()
    assert check["intact"] is True and check["items"] == 1
    chain = client.get(f"/api/v1/cases/{case_id}/evidence", headers=officer).json()
    assert [i["kind"] for i in chain["evidence"]] == ["photo"] and "content" not in chain["evidence"][0]

    rectified = client.post(
        f"/api/v1/cases/{case_id}/rectification", json={"measures": "更换设备"}, headers=grid
    )
    assert rectified.status_code == 200 and rectified.json()["stage"] == "rectified"
    closed = client.post(f"/api/v1/cases/{case_id}/close", json={"note": "销号"}, headers=officer).json()
    assert (closed["stage"], closed["outcome"]) == ("closed", "penalized")

    got = client.get(f"/api/v1/problems/{problem['problem_id']}", headers=grid).json()
    assert (
        got["stage"] == "closed"
        and got["history"][0]["what"] == "opened"
        and got["history"][-1]["what"] == "closed"
    )
    listed = client.get(
        "/api/v1/problems", params={"stage": "closed", "severity": "high", "uscc": uscc}, headers=grid
    ).json()
    assert [p["problem_id"] for p in listed["problems"]] == [problem["problem_id"]]

    # An overdue problem (DISCOVERED lasts 24 h) and paging over the grid's ledger.
    e.clock.advance(timedelta(minutes=1))
    late = _open(client, grid, title="堆场扬尘", lat=30.16, lon=121.26)
    e.clock.advance(timedelta(hours=25))
    fresh = _open(client, grid, title="夜间噪声", lat=30.17, lon=121.27)
    overdue = client.get(
        "/api/v1/problems", params={"overdue": "true", "grid_id": "west"}, headers=grid
    ).json()
    assert [p["problem_id"] for p in overdue["problems"]] == [late["problem_id"]]
    first = client.get("/api/v1/problems", params={"grid_id": "west", "page_size": 2}, headers=grid).json()
    assert [p["problem_id"] for p in first["problems"]] == [fresh["problem_id"], late["problem_id"]]
    assert first["total"] == 3 and first["next_page_token"]
    rest = client.get(
        "/api/v1/problems",
        params={"grid_id": "west", "page_size": 2, "page_token": first["next_page_token"]},
        headers=grid,
    ).json()
    assert [p["problem_id"] for p in rest["problems"]] == [problem["problem_id"]] and not rest[
        "next_page_token"
    ]
    escalated = client.post(
        f"/api/v1/cases/{late['case_id']}/escalate", json={"note": "群众反映强烈"}, headers=grid
    )
    assert escalated.status_code == 200 and escalated.json()["escalation_level"] == 1
    missing = client.get("/api/v1/cases/no-such-case", headers=grid)
    assert missing.status_code == 404 and missing.json()["error"] == "NOT_FOUND"


@pytest.fixture
def codes_db() -> Iterator[str]:
    """A database of the code service's own (enforcement has the test's pg_url)."""
    with infra.fresh_postgres_database() as url:
        yield url


@pytest.fixture
def codes(codes_db: str, start_service: Callable[..., RunningService]) -> Iterator[CodesHarness]:
    """The code service (its database set up first, so that it outlives the service)."""
    with running_codes(start_service, codes_db) as harness:
        yield harness


def test_the_code_page_shows_a_decided_penalty_and_nothing_internal(
    codes_db: str, enforcement: Enforcement, codes: CodesHarness, tmp_path: Path
) -> None:
    # codes_db first: set up before the services (start_service), so dropped after they stop.
    e = enforcement
    city(e)
    uscc = make_uscc()
    token = codes.register(uscc).token
    with gateway(
        tmp_path, codes_address=codes.service.address, enforcement_address=e.service.address
    ) as client:
        page = f"/c/{token}"
        before = client.get(page, headers={"Accept": "application/json"}).json()
        assert before["penalties_last_3_years"]["available"] is True
        assert before["penalties_last_3_years"]["count"] == 0 and before["open_rectifications"]["count"] == 0

        officer = operator_headers(client, "officer")
        problem = _open(client, officer, uscc=uscc, description="internal: 举报人电话 13900000000")
        decided = _through_decision(client, e, officer, str(problem["case_id"]), uscc=uscc)
        document = decided["decision"]["document_number"]  # type: ignore[index]

        def shown() -> dict[str, Any] | None:
            # The public page keeps what it showed for a moment (gateway/public/live.py, 2 s).
            body: dict[str, Any] = client.get(page, headers={"Accept": "application/json"}).json()
            return body if body["penalties_last_3_years"]["count"] else None

        after = infra.wait_for(shown, timeout=15, what="the penalty on the code page")
        penalties = after["penalties_last_3_years"]
        assert [p["document_number"] for p in penalties["items"]] == [document]
        assert penalties["items"][0]["fine_yuan"] == 200_000.0 and penalties["items"][0]["legal_basis"]
        assert [i["case_number"] for i in after["open_rectifications"]["items"]] == [decided["case_number"]]
        text = json.dumps(after, ensure_ascii=False) + client.get(page).text
        chain = client.get(f"/api/v1/cases/{problem['case_id']}/evidence", headers=officer).json()["evidence"]
        internal = [
            "internal note",
            "13900000000",
            "现场笔录",
            str(decided["decision"]["decided_by"]["user"]),  # type: ignore[index]
            chain[0]["item_sha256"],
            chain[0]["content_sha256"],
            "insp-secret",
        ]
        assert [s for s in internal if s in text] == []
