"""The code page for the public and for officers, on a real record: permits registers the enterprise,
the code service learns of it from real Kafka, and the page shows the public nothing private while a
signed-in officer (session cookie, as a phone browser carries it) sees the full record inline."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from eco.v1 import common_pb2, permits_pb2, permits_pb2_grpc
from gateway import operators
from shared.china_time import local_day
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from tests.integration.codes.harness import CodesHarness, running_codes
from tests.integration.gateway_public.conftest import Platform
from tests.integration.gateway_public.harness import dead_address, gateway, operator_headers, sign_in
from tests.support import infra
from tests.unit.permits.factories import limits_pb, random_uscc

pytestmark = pytest.mark.integration
JSON = {"Accept": "application/json"}
PUBLIC_KEYS = {
    "uscc", "name", "town", "industry", "profile_as_of", "credit", "permit", "code_version",
    "last_inspection", "open_rectifications", "penalties_last_3_years", "report_problem",
}  # fmt: skip
# Fields of the full record the public page may show (DESIGN.md: "the public sees only public fields").
ALLOWED = {
    "uscc",
    "name",
    "town",
    "industry_code",
    "permit_class",
    "permit_number",
    "valid_from",
    "valid_until",
}
WHO = common_pb2.Actor(user="officer-zhou", reason="现场核查通过，准予核发")
ENTERPRISE = {
    "name": "慈溪市青瓷电镀有限公司",
    "legal_representative": "韩立群",
    "contact": {"person": "钱晓燕", "phone": "13858291746", "email": "ehs@qingci-plating.example.cn"},
    "industry_code": "C3360",
    "address": "慈溪市周巷镇环城北路 1024 号",
    "town": "周巷",
    "grid": "周巷-11",
    "lat": 30.183917,
    "lon": 121.153642,
    "risk_flags": ["heavy_metals"],
    "permit_class": "key",
}


def _leaves(value: Any, key: str = "") -> list[tuple[str, str]]:
    """Every (field name, text) leaf of a JSON document; numbers as text, whole numbers left out."""
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, k)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v, key)]
    if isinstance(value, str) and value:
        return [(key, value)]
    if isinstance(value, float) and not value.is_integer():
        return [(key, repr(value))]
    return []


def _appears(text: str, page: str) -> bool:
    """Whether a leaf shows on a page; a number only as a whole number ("1.2" is not in "1.25rem")."""
    if re.fullmatch(r"-?\d+\.\d+", text):
        return re.search(rf"(?<![\d.]){re.escape(text)}(?!\d)", page) is not None
    return text in page


def _register_with_outlet_and_permit(client: TestClient, permits_address: str) -> str:
    uscc = random_uscc()
    officer = operator_headers(client, "permit_officer")
    created = client.post("/api/v1/enterprises", json={"uscc": uscc, **ENTERPRISE}, headers=officer)
    assert created.status_code == 201, created.text
    ch = channel(permits_address)
    stub, md = permits_pb2_grpc.PermitsServiceStub(ch), call_metadata(infra.BUREAU_TOKEN)
    try:
        outlet = stub.AddOutlet(
            permits_pb2.AddOutletRequest(
                uscc=uscc,
                kind=permits_pb2.OUTLET_KIND_WASTEWATER,
                name="电镀废水总排口",
                location=common_pb2.GeoPoint(lat=30.184411, lon=121.154877),
                receiving_river="潮塘江",
                monitored_pollutants=["COD", "NH3N"],
            ),
            metadata=md,
        )
        number = stub.ApplyPermit(
            permits_pb2.ApplyPermitRequest(uscc=uscc, outlets=[limits_pb(outlet.outlet_id)], actor=WHO),
            metadata=md,
        ).permit_number
        stub.StartPermitReview(permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=md)
        stub.IssuePermit(permits_pb2.IssuePermitRequest(permit_number=number, actor=WHO), metadata=md)
    finally:
        ch.close()
    return uscc


def _code_path(client: TestClient, uscc: str) -> str:
    """The code's page path, once the code service has consumed EnterpriseRegistered from Kafka."""
    viewer = operator_headers(client, "viewer")

    def issued() -> str | None:
        response = client.get(f"/api/v1/enterprises/{uscc}/code", headers=viewer)
        return urlsplit(response.json()["url"]).path if response.status_code == 200 else None

    return infra.wait_for(issued, timeout=30, what=f"the code of {uscc}")


def test_the_public_sees_no_private_field_of_the_real_record_and_an_officer_sees_it_all(
    full_platform: Platform, permits: Any
) -> None:
    client = full_platform.client
    uscc = _register_with_outlet_and_permit(client, permits.address)
    path = _code_path(client, uscc)
    # The permit reaches the page through PermitIssued on Kafka; wait for it, so the page is complete.
    infra.wait_for(
        lambda: client.get(path, headers=JSON).json()["permit"]["state"] == "valid", what="the permit"
    )
    record = client.get(f"/api/v1/enterprises/{uscc}", headers=operator_headers(client, "permit_officer"))
    assert record.status_code == 200
    leaves = _leaves(record.json())
    public = {text for key, text in leaves if key in ALLOWED}
    # A text the record also holds under a public field (a permit applied for on the day it is valid
    # from) is public by that field.
    private = sorted({text for key, text in leaves if key not in ALLOWED} - public)
    assert {"13858291746", "钱晓燕", "潮塘江", "现场核查通过，准予核发", "30.183917"} <= set(private)

    anonymous = TestClient(client.app)  # a phone with no session: same app, no cookie
    body = anonymous.get(path, headers=JSON).json()
    assert set(body) == PUBLIC_KEYS
    html = anonymous.get(path).text
    public_text = json.dumps(body, ensure_ascii=False) + html
    leaked = [text for text in private if _appears(text, public_text)]
    assert leaked == [], [(t, public_text[max(0, public_text.index(t) - 60) :][:120]) for t in leaked]
    # The public part is there: name, USCC, permit number; and a way for staff to sign in.
    permit_number = next(text for key, text in leaves if key == "permit_number")
    assert all(text in public_text for text in (ENTERPRISE["name"], uscc, permit_number))
    assert f'href="/login?next=/c/{path.removeprefix("/c/")}"' in html and "内部 internal" not in html

    # An officer who signed in on the phone's browser sees the record inline, marked internal.
    sign_in(client, "dispatcher")
    officer_html = client.get(path)
    assert "内部 internal" in officer_html.text and "13858291746" in officer_html.text
    assert "潮塘江" in officer_html.text and officer_html.headers["cache-control"] == "private, no-store"
    officer_json = client.get(path, headers=JSON).json()
    assert officer_json["internal"]["enterprise"]["fields"]["contact"]["phone"] == "13858291746"
    assert officer_json["full_record"] == f"/api/v1/enterprises/{uscc}"

    # A viewer may sign in, but may not read records: the public page only.
    viewer = TestClient(client.app)
    sign_in(viewer, "viewer")
    viewer_page = viewer.get(path, headers=JSON).json()
    assert set(viewer_page) == PUBLIC_KEYS
    assert "13858291746" not in viewer.get(path).text


def test_sign_in_sets_a_guarded_cookie_and_sign_out_ends_it(platform: Platform) -> None:
    client = platform.client
    form = client.get("/login", params={"next": "/c/abc"})
    assert form.status_code == 200 and 'name="password"' in form.text and 'value="/c/abc"' in form.text
    password, name = "officer-passphrase", infra.unique("officer-")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    operators.create(engine, username=name, display_name=name, role="dispatcher", password=password)
    wrong = client.post("/login", data={"username": name, "password": "not-it"}, follow_redirects=False)
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    other = client.post(
        "/login", data={"username": "someone-else", "password": password}, follow_redirects=False
    )
    assert other.status_code == 401
    # A `next` pointing at another site is not followed.
    ok = client.post(
        "/login",
        data={"username": name, "password": password, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert (ok.status_code, ok.headers["location"]) == (303, "/docs")
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert (
        client.get("/api/v1/codes/scans", params={"from": "2025-01-01", "to": "2025-01-01"}).status_code
        == 200
    )
    # A forged cookie (the value altered) is nobody.
    value = client.cookies[operators.SESSION_COOKIE]
    forged = TestClient(
        client.app, cookies={operators.SESSION_COOKIE: value[:-2] + ("AA" if value[-2:] != "AA" else "BB")}
    )
    assert (
        forged.get("/api/v1/codes/scans", params={"from": "2025-01-01", "to": "2025-01-01"}).status_code
        == 401
    )
    # The cookie works from this site only for changes: a foreign Origin is refused.
    cross = client.post(
        "/api/v1/enterprises/91330100716105852F/code/rotate",
        json={},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403 and "another site" in cross.json()["message"]
    out = client.post("/logout", follow_redirects=False)
    assert out.status_code == 303 and operators.SESSION_COOKIE not in client.cookies
    assert (
        client.get("/api/v1/codes/scans", params={"from": "2025-01-01", "to": "2025-01-01"}).status_code
        == 401
    )


def test_over_https_the_session_cookie_is_secure(codes: CodesHarness, tmp_path: Path) -> None:
    with gateway(
        tmp_path,
        codes_address=codes.service.address,
        enforcement_address=dead_address(),
        base_url="https://testserver",
    ) as client:
        name = infra.unique("officer-")
        operators.create(
            client.app.state.engine,  # type: ignore[attr-defined]
            username=name,
            display_name=name,
            role="dispatcher",
            password="officer-passphrase",
        )
        ok = client.post(
            "/login", data={"username": name, "password": "officer-passphrase"}, follow_redirects=False
        )
        assert ok.status_code == 303 and "Secure" in ok.headers["set-cookie"]


def test_head_answers_like_get_without_a_body_or_a_scan(platform: Platform) -> None:
    client = platform.client
    uscc = random_uscc()
    path = urlsplit(platform.codes.register(uscc).url).path
    got = client.get(path)
    head = client.head(path)
    assert (head.status_code, head.content) == (200, b"")
    for name in ("content-type", "content-length", "vary"):
        assert head.headers[name] == got.headers[name], name
    refused = client.head("/c/not-a-token")
    assert (refused.status_code, refused.content) == (400, b"")
    viewer = operator_headers(client, "viewer")
    today = local_day(datetime.now(UTC)).isoformat()

    def scans() -> int:
        query = {"uscc": uscc, "from": today, "to": today}
        return int(client.get("/api/v1/codes/scans", params=query, headers=viewer).json()["total"])

    # Scans reach the code service in the gateway's next batch (about a second).
    infra.wait_for(lambda: scans() == 1, timeout=15, what="the GET's scan in the code service")
    time.sleep(2.5)  # two more flushes: the HEAD never arrives
    assert scans() == 1


def test_an_officer_issues_a_code_on_demand(
    pg_url: str, permits: Any, start_service: Callable[..., RunningService], tmp_path: Path
) -> None:
    with (
        # The code service hears nothing from permits (its own topics): it must ask the registry.
        running_codes(start_service, pg_url, permits_address=permits.address) as codes,
        gateway(
            tmp_path,
            codes_address=codes.service.address,
            enforcement_address=dead_address(),
            permits_address=permits.address,
        ) as client,
    ):
        officer, viewer = operator_headers(client, "permit_officer"), operator_headers(client, "viewer")
        uscc = random_uscc()
        assert (
            client.post("/api/v1/enterprises", json={"uscc": uscc, **ENTERPRISE}, headers=officer).status_code
            == 201
        )
        assert client.post(f"/api/v1/enterprises/{uscc}/code", headers=viewer).status_code == 403
        issued = client.post(f"/api/v1/enterprises/{uscc}/code", headers=officer)
        assert issued.status_code == 201 and issued.json()["version"] == 1
        page = client.get(urlsplit(issued.json()["url"]).path, headers=JSON).json()
        assert (page["name"], page["town"]) == (ENTERPRISE["name"], ENTERPRISE["town"])
        again = client.post(f"/api/v1/enterprises/{uscc}/code", headers=officer)
        assert again.status_code == 409 and "already exists" in again.json()["message"]
        unknown = client.post(f"/api/v1/enterprises/{random_uscc()}/code", headers=officer)
        assert unknown.status_code == 404
