"""The public page through the gateway: scan a printed code, follow it, see live public status only."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from eco.v1 import common_pb2
from services.codes.domain.token import sign
from shared import china_time
from tests.integration.gateway_public.conftest import Platform
from tests.integration.gateway_public.harness import operator_headers
from tests.support import infra
from tests.unit.codes import factories
from tests.unit.codes.factories import make_uscc

pytestmark = pytest.mark.integration
JSON = {"Accept": "application/json"}


def _scan(platform: Platform, uscc: str) -> str:
    """Fetch the printed PNG as an officer would, decode it with zbar, return the path it opens."""
    headers = operator_headers(platform.client, "permit_officer")
    png = platform.client.get(f"/api/v1/enterprises/{uscc}/code.png", headers=headers)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    [symbol] = decode(Image.open(io.BytesIO(png.content)))
    return urlsplit(symbol.data.decode()).path


def test_a_decoded_png_opens_the_live_public_page(platform: Platform) -> None:
    uscc = make_uscc()
    platform.codes.register(uscc)
    path = _scan(platform, uscc)
    assert path.startswith("/c/")
    page = platform.client.get(path, headers=JSON)
    assert page.status_code == 200
    body = page.json()
    assert (body["uscc"], body["name"], body["town"]) == (uscc, "慈溪市绿水化工有限公司", "观海卫")
    assert body["industry"] == {"code": "C2614", "section": "制造业"}
    assert body["credit"]["level"] == "unrated" and body["credit"]["label"] == "尚未评价"
    assert body["permit"] == {"state": "none", "as_of": None}
    # Enforcement has built none of these yet: unavailable, never zero or "none".
    for part in ("last_inspection", "open_rectifications", "penalties_last_3_years"):
        assert body[part] == {
            "available": False,
            "reason": "not provided by the enforcement service yet",
            "as_of": None,
        }
    html = platform.client.get(path)
    assert html.status_code == 200 and "text/html" in html.headers["content-type"]
    assert "慈溪市绿水化工有限公司" in html.text and 'name="viewport"' in html.text
    assert html.text.count("暂不可查 · unavailable") == 3
    assert "<p>0</p>" not in html.text


def test_each_kind_of_bad_token_is_refused_with_its_status(platform: Platform) -> None:
    uscc = make_uscc()
    platform.codes.register(uscc)
    client, officer = platform.client, operator_headers(platform.client, "permit_officer")
    old_path = _scan(platform, uscc)
    old_token = old_path.removeprefix("/c/")
    rotated = client.post(
        f"/api/v1/enterprises/{uscc}/code/rotate", json={"reason": "faded"}, headers=officer
    )
    assert rotated.status_code == 200 and rotated.json()["version"] == 2
    new_path = urlsplit(rotated.json()["url"]).path
    tampered = old_token[:10] + ("B" if old_token[10] != "B" else "C") + old_token[11:]
    cases = {
        "superseded": (old_path, 410),
        "tampered": (f"/c/{tampered}", 400),
        "malformed": ("/c/definitely-not-a-token", 400),
        "unknown": (f"/c/{sign(factories.TEST_KEY, make_uscc(), 1)}", 404),
    }
    for kind, (path, status) in cases.items():
        refused = client.get(path, headers=JSON)
        assert (refused.status_code, refused.json()["error"]) == (status, kind), kind
        assert client.get(path).status_code == status
    revoked = client.post(
        f"/api/v1/enterprises/{uscc}/code/revoke", json={"reason": "closed"}, headers=officer
    )
    assert revoked.json()["status"] == "revoked"
    page = client.get(new_path)
    assert page.status_code == 410 and "revoked" in page.text and "此码已被注销" in page.text
    viewer = operator_headers(client, "viewer")
    assert client.post(f"/api/v1/enterprises/{uscc}/code/reissue", json={}, headers=viewer).status_code == 403
    reissued = client.post(
        f"/api/v1/enterprises/{uscc}/code/reissue", json={"reason": "reopened"}, headers=officer
    )
    assert client.get(urlsplit(reissued.json()["url"]).path).status_code == 200


def test_the_colour_follows_credit_changed(platform: Platform) -> None:
    uscc = make_uscc()
    platform.codes.register(uscc)
    path = _scan(platform, uscc)
    envelope = factories.credit_changed(uscc, common_pb2.CREDIT_LEVEL_YELLOW, datetime.now(UTC))
    platform.codes.publish(envelope, topic=platform.codes.evaluation_topic)
    credit = infra.wait_for(
        lambda: (c := platform.client.get(path, headers=JSON).json()["credit"])["level"] == "yellow" and c,
        what="the yellow credit on the public page",
    )
    assert (credit["colour"], credit["label"]) == ("#e6ab02", "环保警示企业")
    assert credit["as_of"] is not None
    assert "--accent: #e6ab02" in platform.client.get(path).text
    png = platform.client.get(
        f"/api/v1/enterprises/{uscc}/code.png", headers=operator_headers(platform.client, "viewer")
    )
    assert Image.open(io.BytesIO(png.content)).convert("RGB").getpixel((1, 1)) == (0xE6, 0xAB, 0x02)


def test_page_views_are_counted_per_day(platform: Platform) -> None:
    uscc = make_uscc()
    platform.codes.register(uscc)
    path = _scan(platform, uscc)
    for _ in range(3):
        assert platform.client.get(path, headers=JSON).status_code == 200
    day = china_time.local_day(datetime.now(UTC)).isoformat()
    viewer = operator_headers(platform.client, "viewer")

    def stats() -> object:
        query = {"uscc": uscc, "from": day, "to": day}
        return platform.client.get("/api/v1/codes/scans", params=query, headers=viewer).json()

    # The gateway sends its scan counts in batches, about once a second.
    expected = {"total": 3, "counts": [{"uscc": uscc, "day": day, "count": 3}]}
    infra.wait_for(lambda: stats() == expected, timeout=15, what="three scans counted in the code service")


def test_operator_routes_need_an_operator_and_render_svg_and_pdf(platform: Platform) -> None:
    uscc = make_uscc()
    platform.codes.register(uscc, town="坎墩")
    client = platform.client
    assert client.get(f"/api/v1/enterprises/{uscc}/code.png").status_code == 401
    viewer = operator_headers(client, "viewer")
    svg = client.get(f"/api/v1/enterprises/{uscc}/code.svg", headers=viewer)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml" and "<svg" in svg.text
    pdf = client.get("/api/v1/codes/sheet.pdf", params={"uscc": [uscc]}, headers=viewer)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-") and pdf.headers["x-codes"] == "1"
    bad = client.get("/api/v1/enterprises/91330100716105853F/code.png", headers=viewer)
    assert bad.status_code == 400 and "uscc" in bad.json()["message"]
    missing = client.get(f"/api/v1/enterprises/{make_uscc()}/code.svg", headers=viewer)
    assert missing.status_code == 404
