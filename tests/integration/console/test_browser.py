"""The console in a real browser (Debian's headless Chromium driven by Playwright): sign in, turn a
layer on and see its markers, open a popup and follow it to the enterprise record, run a search and
narrow it by a facet; on a desktop and a phone screen. Screenshots are kept as test artefacts in
.run/artifacts/console/ (ECO_TEST_ARTIFACTS overrides), and the path is printed."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from eco.v1 import common_pb2, evaluation_pb2, monitoring_pb2, permits_pb2
from eco.v1 import enforcement_pb2 as epb
from shared.uscc import with_check_characters
from tests.integration.console.conftest import OPERATOR, Console
from tests.support import infra

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"  # Debian's package (deploy/system-packages.txt): no browser download
ARTIFACTS = Path(os.environ.get("ECO_TEST_ARTIFACTS", infra.REPO / ".run" / "artifacts")) / "console"

DYEING = with_check_characters("91330282MA2DYE01")
TWIN = with_check_characters("91330282MA2DYE02")
PLATING = with_check_characters("91330282MA2PLA03")
# A name holding markup: the page must show these characters, never make them elements.
DYEING_NAME = "慈溪市浒山<b>印染</b>有限公司"
CITY = [
    (DYEING, DYEING_NAME, "浒山", 30.170, 121.265, common_pb2.CREDIT_LEVEL_RED),
    # A few hundred metres from it: the two are one cluster when the whole city is in view.
    (TWIN, "慈溪市浒山印染二厂", "浒山", 30.172, 121.268, common_pb2.CREDIT_LEVEL_GREEN),
    (PLATING, "慈溪市龙山电镀厂", "龙山", 30.095, 121.525, common_pb2.CREDIT_LEVEL_YELLOW),
]


def sign_in(page: Page, base_url: str, next_path: str) -> None:
    """Sign in through the console's form (username and operator token today) and land on next_path."""
    username, secret = OPERATOR
    page.goto(f"{base_url}/login?next={next_path}")
    page.fill("#username", username)
    page.fill("#password", secret)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}{next_path}")


def _square(lon0: float, lat0: float, lon1: float, lat1: float) -> list[common_pb2.GeoPoint]:
    return [
        common_pb2.GeoPoint(lat=lat, lon=lon)
        for lon, lat in ((lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1))
    ]


def _load_city(c: Console) -> None:
    md = (("authorization", f"Bearer {infra.BUREAU_TOKEN}"),)
    grids = [
        epb.Grid(grid_id="city", name="慈溪市", level=1, boundary=_square(121.0, 30.0, 121.55, 30.4)),
        epb.Grid(
            grid_id="hs",
            name="浒山街道",
            town="浒山",
            level=2,
            parent_grid_id="city",
            boundary=_square(121.22, 30.13, 121.31, 30.21),
        ),
        epb.Grid(
            grid_id="ls",
            name="龙山镇",
            town="龙山",
            level=2,
            parent_grid_id="city",
            boundary=_square(121.45, 30.05, 121.55, 30.14),
        ),
    ]
    for grid in grids:
        c.enforcement.CreateGrid(epb.CreateGridRequest(grid=grid), metadata=md, timeout=10)
    for uscc, name, town, lat, lon, level in CITY:
        fields = permits_pb2.EnterpriseFields(
            name=name,
            legal_representative="张伟",
            contact=permits_pb2.Contact(person="李娜", phone="0574-63000000"),
            industry_code="C1713",
            address=f"浙江省慈溪市{town}",
            town=town,
            grid=f"{town}-01",
            location=common_pb2.GeoPoint(lat=lat, lon=lon),
            permit_class=common_pb2.PERMIT_CLASS_KEY,
        )
        registered = c.permits.RegisterEnterprise(
            permits_pb2.RegisterEnterpriseRequest(uscc=uscc, fields=fields), metadata=md, timeout=10
        )
        # The same registration on the test's own topics, which the gateway's indexer reads.
        summary = permits_pb2.EnterpriseSummary(
            uscc=uscc,
            name=name,
            industry_code="C1713",
            address=fields.address,
            town=town,
            grid=fields.grid,
            location=fields.location,
            permit_class=common_pb2.PERMIT_CLASS_KEY,
        )
        assert registered.uscc == uscc
        c.search.publish("permits", uscc, permits_pb2.EnterpriseRegistered(enterprise=summary))
        c.search.publish("evaluation", uscc, evaluation_pb2.CreditChanged(uscc=uscc, level=level, score=60))
    station = monitoring_pb2.Station(
        station_id="S-HS-01",
        name="浒山江断面",
        type=monitoring_pb2.STATION_TYPE_WATER_SECTION,
        town="浒山",
        location=common_pb2.GeoPoint(lat=30.19, lon=121.24),
    )
    c.search.publish("monitoring", "S-HS-01", monitoring_pb2.StationRegistered(station=station))
    far = monitoring_pb2.Station(
        station_id="S-LS-01",
        name="龙山断面",
        town="龙山",
        location=common_pb2.GeoPoint(lat=30.08, lon=121.48),
    )
    c.search.publish("monitoring", "S-LS-01", monitoring_pb2.StationRegistered(station=far))
    exceedance = monitoring_pb2.Exceedance(
        exceedance_id="EX-B1", station_id="S-HS-01", parameter="NH3N", unit="mg/L", limit=1.5, open=True
    )
    c.search.publish(
        "monitoring",
        "S-HS-01",
        monitoring_pb2.ExceedanceDetected(
            exceedance=exceedance, station_name="浒山江断面", town="浒山", location=station.location
        ),
    )
    infra.wait_for(
        # Real-time GETs first, then all_documents' refresh: what the GETs saw is searchable after.
        lambda: (
            (c.search.source("station:S-HS-01") or {}).get("status") == "alarm"
            and all(
                "credit_level" in (c.search.source(f"enterprise:{u}") or {}).get("props", {})
                for u, *_ in CITY
            )
            and len(c.search.all_documents()) == 6
        ),
        timeout=40,
        what="the city indexed",
    )


def _kpi(c: Console, name: str) -> evaluation_pb2.Kpi:
    md = (("authorization", f"Bearer {infra.BUREAU_TOKEN}"),)
    kpis = c.evaluation.ListKpis(evaluation_pb2.ListKpisRequest(), metadata=md, timeout=10).kpis
    return next(k for k in kpis if k.name == name)


def _wait_for_kpi(c: Console, name: str, *, denominator: int) -> None:
    """Wait until evaluation has consumed the registrations the KPI counts."""
    infra.wait_for(
        lambda: (k := _kpi(c, name)) and not k.undefined and k.denominator == denominator,
        timeout=40,
        what=f"{name} over {denominator} enterprises",
    )


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        # --no-sandbox: the tests run as root here (Chromium's sandbox refuses root).
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def _watch(page: Page) -> list[str]:
    """The page's script errors and CSP refusals, collected as they come (an answer of 404 or 503 is
    the page's business: the dashboard shows the missing KPI route as unavailable)."""
    problems: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(message.text)

    page.on("console", seen)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def test_sign_in_map_layer_popup_record_and_search(console: Console, browser: Browser) -> None:
    _load_city(console)
    base = console.base_url
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    problems = _watch(page)

    sign_in(page, base, "/console/map")
    expect(page.locator("body[data-ready='1']")).to_have_count(1, timeout=20_000)
    # The base: every grid drawn (with no tiles), the towns named.
    expect(page.locator("#count-grids")).to_have_text("3")
    assert page.locator("path.leaflet-interactive").count() >= 3
    expect(page.locator(".town-label", has_text="龙山")).to_have_count(1)
    # Enterprises are on from the start: the twins as one cluster of 2, the plating works alone.
    expect(page.locator("#count-enterprises")).to_have_text("3")
    expect(page.locator(".marker-cluster-enterprises")).to_have_text("2")
    expect(page.locator("path.marker-enterprises")).to_have_count(1)
    # The alarm layer is on too; stations are off until the officer turns them on.
    expect(page.locator("path.marker-alarms")).to_have_count(1)
    expect(page.locator("path.marker-stations")).to_have_count(0)
    page.check("input[data-layer=stations]")
    expect(page.locator("#count-stations")).to_have_text("2")
    expect(page.locator("path.marker-stations")).to_have_count(2)
    # A station in alarm takes the alarm colour, the other the normal one.
    fills = sorted(
        page.locator("path.marker-stations").evaluate_all("ns => ns.map(n => n.getAttribute('fill'))")
    )
    assert fills == sorted(["#1f5fbf", "#d7191c"])
    _shot(page, "01-map-stations-on")

    # Turning a layer off hides its markers.
    page.uncheck("input[data-layer=alarms]")
    expect(page.locator("path.marker-alarms")).to_have_count(0)

    # The cluster opens on a click (zoom in), then the popup of the marked-up name shows it as text.
    page.locator(".marker-cluster-enterprises").click()
    red = page.locator("path.marker-enterprises[fill='#d7301f']")
    expect(red).to_have_count(1, timeout=10_000)
    red.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator("h3")).to_have_text(DYEING_NAME)
    assert popup.locator("b").count() == 0
    expect(popup).to_contain_text("环保不良")
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in, for the picture
    _shot(page, "02-popup")

    popup.locator("a.record-link").click()
    page.wait_for_url(f"{base}/console/enterprises/{DYEING}")
    expect(page.locator("body[data-ready='1']")).to_have_count(1, timeout=20_000)
    expect(page.locator("#name")).to_have_text(f"一企一档 · {DYEING_NAME}")
    expect(page.locator("[data-section=enterprise]")).to_contain_text("C1713")
    assert page.locator("#record b").count() == 0
    _shot(page, "03-record")

    page.goto(f"{base}/console/search")
    page.fill("#q", "印染")
    page.click("#search-form button")
    expect(page.locator("#status")).to_contain_text("共 2 条", timeout=20_000)
    titles = page.locator(".result a").all_text_contents()
    assert set(titles) == {DYEING_NAME, "慈溪市浒山印染二厂"}
    expect(page.locator(".result mark").first).to_have_text("印染")
    expect(page.locator(".facet button[data-field=town][data-value=浒山]")).to_contain_text("2")
    # A part that is not contiguous, then a facet narrowing it.
    page.fill("#q", "慈溪电镀")
    page.click("#search-form button")
    expect(page.locator(".result a")).to_have_text(["慈溪市龙山电镀厂"], timeout=20_000)
    page.fill("#q", "慈溪")
    page.click("#search-form button")
    expect(page.locator("#status")).to_contain_text("共 3 条", timeout=20_000)
    page.click(".facet button[data-field=town][data-value=龙山]")
    expect(page.locator(".result a")).to_have_text(["慈溪市龙山电镀厂"], timeout=20_000)
    assert re.search(r"town=%E9%BE%99%E5%B1%B1", page.url)
    _shot(page, "04-search-facet")

    # Evaluation has counted the three registered key enterprises (none holds a permit yet).
    _wait_for_kpi(console, "discharge_permit_holding_rate", denominator=3)
    page.goto(f"{base}/console/dashboard")
    expect(page.locator(".card").first).to_contain_text("报警 open alarms", timeout=20_000)
    expect(page.locator("body[data-ready='1']")).to_have_count(1, timeout=20_000)
    expect(page.locator(".card").first.locator("dd")).to_have_text(["1", "1", "3"])
    # A KPI card: its title first, its value as a number against its target, not met; no panel
    # says the KPIs are unavailable.
    holding = page.locator(".card.kpi[data-kpi=discharge_permit_holding_rate]")
    expect(holding.locator("h3")).to_have_text(_kpi(console, "discharge_permit_holding_rate").title)
    expect(holding.locator(".value")).to_have_text("0%")
    expect(holding.locator(".value")).to_have_class(re.compile(r"\bmissed\b"))
    expect(holding.locator(".target")).to_have_text("目标 target: 100% · 未达标 not met")
    expect(holding.locator(".counts")).to_have_text("0 / 3")
    expect(page.locator(".card.unavailable")).to_have_count(0)
    # A KPI with nothing to count shows "—" and the reason, not a zero.
    blank = page.locator(".card.kpi:has(.value.undefined)").first
    expect(blank.locator(".value")).to_have_text("—")
    assert blank.locator(".note").inner_text().strip()
    _shot(page, "05-dashboard")

    # A phone: the map above, its panel below, still working.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    mobile = phone.new_page()
    mobile_problems = _watch(mobile)
    sign_in(mobile, base, "/console/map")
    expect(mobile.locator("body[data-ready='1']")).to_have_count(1, timeout=20_000)
    map_box, panel_box = mobile.locator("#map").bounding_box(), mobile.locator("#panel").bounding_box()
    assert map_box and panel_box and panel_box["y"] >= map_box["y"] + map_box["height"] - 1
    assert map_box["width"] <= 390
    _shot(mobile, "06-phone-map")
    phone.close()
    context.close()
    assert problems == [] and mobile_problems == [], problems + mobile_problems
