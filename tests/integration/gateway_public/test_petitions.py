"""Reporting a problem from the code page while enforcement cannot take petitions yet, and the limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from eco.v1 import codes_pb2
from tests.integration.codes.harness import CodesHarness
from tests.integration.gateway_public.conftest import Platform
from tests.integration.gateway_public.harness import dead_address, gateway
from tests.unit.codes.factories import make_uscc

pytestmark = pytest.mark.integration
GOOD = {"category": "water", "text": "河边排口在夜里排出黄色污水，有刺鼻气味。", "contact": "13805741234"}


def _path(codes: CodesHarness) -> str:
    return f"/c/{codes.register(make_uscc()).token}"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "gossip"}, "category"),
        ({"text": "太短"}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"contact": "call me maybe"}, "contact"),
        ({"lat": "30.2", "lon": "east"}, "lon"),
        ({"lat": "95", "lon": "121.3"}, "lat"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    platform: Platform, change: dict[str, str], field: str
) -> None:
    response = platform.client.post(
        f"{_path(platform.codes)}/petitions", data={**GOOD, **change}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == field and response.json()["message"].startswith(f"{field}: ")


def test_while_enforcement_answers_unimplemented_the_form_says_call_12369(platform: Platform) -> None:
    path = _path(platform.codes)
    response = platform.client.post(f"{path}/petitions", data=GOOD)
    assert response.status_code == 503
    assert "petition intake is not available right now; call 12369" in response.text
    as_json = platform.client.post(f"{path}/petitions", json=GOOD, headers={"Accept": "application/json"})
    assert as_json.status_code == 503 and as_json.json()["error"] == "unavailable"


def test_a_petition_on_a_refused_code_is_refused_like_the_page(platform: Platform) -> None:
    uscc = make_uscc()
    token = platform.codes.register(uscc).token
    platform.codes.call("RevokeCode", codes_pb2.RevokeCodeRequest(uscc=uscc, reason="closed"))
    assert platform.client.post(f"/c/{token}/petitions", data=GOOD).status_code == 410


def test_when_enforcement_is_down_nothing_is_filed_and_the_page_still_works(
    codes: CodesHarness, tmp_path: Path
) -> None:
    with gateway(tmp_path, codes_address=codes.service.address, enforcement_address=dead_address()) as client:
        path = _path(codes)
        assert client.post(f"{path}/petitions", data=GOOD).status_code == 503
        page = client.get(path, headers={"Accept": "application/json"}).json()
        assert page["penalties_last_3_years"] == {
            "available": False,
            "reason": "the enforcement service did not answer",
            "as_of": None,
        }


def test_public_routes_are_rate_limited_without_keeping_addresses(
    codes: CodesHarness, tmp_path: Path
) -> None:
    with gateway(
        tmp_path, codes_address=codes.service.address, enforcement_address=dead_address(), rate=3
    ) as client:
        path = _path(codes)
        assert [client.get(path, headers={"Accept": "application/json"}).status_code for _ in range(3)] == [
            200
        ] * 3
        limited = client.get(path)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert client.post(f"{path}/petitions", data=GOOD).status_code == 429
        limiter = client.app.state.public_limiter  # type: ignore[attr-defined]
        assert limiter.tracked_clients() == 1
        assert all("testclient" not in key for key in limiter._hits)
