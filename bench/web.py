"""Web benchmarks (issue 16): the public code page against a trivial route of the same gateway,
search against the same query sent straight to Elasticsearch, and the time from a reading that
opens an exceedance to the alarm in search and on the map. Every figure has its baseline from the
same run, since these machines are shared and noisy."""

from __future__ import annotations

import json
import math
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import quote

import grpc
import httpx
import sqlalchemy as sa
from google.protobuf.timestamp_pb2 import Timestamp

from bench import wrk
from bench.ingest import progress
from bench.platform import Platform, running
from deploy.demo.uscc import make_uscc
from eco.v1 import (
    codes_pb2,
    codes_pb2_grpc,
    common_pb2,
    monitoring_pb2,
    monitoring_pb2_grpc,
    permits_pb2,
    permits_pb2_grpc,
)
from gateway import operators
from gateway.search import index, query
from tests.support import infra

TOKEN = "dev-bureau-token"
OPERATOR_TOKEN = "bench-operator-token"
SEARCH = "宗汉电镀"
TOWNS = ["浒山", "宗汉", "周巷", "观海卫", "庵东", "坎墩"]
TRADES = [("电镀", "C3360"), ("印染", "C1713"), ("化工", "C2614"), ("家电", "C3855"), ("轴承", "C3451")]


PARTS = ("pages", "search", "propagation")


@dataclass(frozen=True)
class WebFigures:
    loads: list[wrk.Load]
    propagation_ms: list[float]
    only: str = ""  # one of PARTS when only that part was measured


def _seed_enterprises(platform: Platform, count: int) -> str:
    """Register `count` enterprises through permits; returns one's USCC."""
    md = (("authorization", f"Bearer {TOKEN}"),)
    first_serial = 700_000 + (time.time_ns() // 1000) % 200_000
    with grpc.insecure_channel(platform.address("permits")) as ch:
        stub = permits_pb2_grpc.PermitsServiceStub(ch)
        usccs = []
        for n in range(count):
            town, (trade, industry) = TOWNS[n % len(TOWNS)], TRADES[n % len(TRADES)]
            uscc = make_uscc(first_serial + n)
            fields = permits_pb2.EnterpriseFields(
                name=f"慈溪市{town}{trade}第{n}有限公司",
                legal_representative="基准",
                industry_code=industry,
                address=f"浙江省慈溪市{town}",
                town=town,
                grid=f"{town}-1",
                location=common_pb2.GeoPoint(lat=30.17 + (n % 20) * 0.005, lon=121.2 + (n % 30) * 0.005),
                permit_class=common_pb2.PERMIT_CLASS_SIMPLIFIED,
            )
            stub.RegisterEnterprise(
                permits_pb2.RegisterEnterpriseRequest(uscc=uscc, fields=fields), metadata=md
            )
            usccs.append(uscc)
    return usccs[1]  # 宗汉: found by the search phrase


def _code_token(platform: Platform, uscc: str) -> str:
    md = (("authorization", f"Bearer {TOKEN}"),)
    with grpc.insecure_channel(platform.address("codes")) as ch:
        stub = codes_pb2_grpc.CodesServiceStub(ch)
        code = infra.wait_for(
            lambda: stub.GetCode(codes_pb2.GetCodeRequest(uscc=uscc), metadata=md),
            timeout=60,
            what=f"the code of {uscc}",
        )
    return code.url.rsplit("/c/", 1)[1]


def _operator(platform: Platform) -> dict[str, str]:
    engine = sa.create_engine(platform.env["ECO_GATEWAY_DATABASE_URL"])
    try:
        operators.create(
            engine, username="bench", display_name="基准", role="dispatcher", token=OPERATOR_TOKEN
        )
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


def _search_ready(platform: Platform, auth: dict[str, str], count: int) -> None:
    def indexed() -> bool:
        answer = httpx.get(
            f"{platform.gateway}/api/v1/search",
            params={"q": "有限公司", "kind": "enterprise"},
            headers=auth,
            timeout=5,
        ).json()
        return int(answer.get("total", 0)) >= count

    infra.wait_for(indexed, timeout=120, every=0.5, what=f"{count} enterprises in the search index")


def code_page_and_search(
    platform: Platform, seconds: int, enterprises: int, warmup: int = 0, only: str = ""
) -> list[wrk.Load]:
    """wrk on the trivial route, the code page (HTML, JSON), search, and search straight to ES, each
    run after `warmup` seconds of the same load that are not counted (`only`: "pages" or "search",
    one of the two groups)."""
    uscc = _seed_enterprises(platform, enterprises)
    token = _code_token(platform, uscc)
    auth = _operator(platform)
    _search_ready(platform, auth, enterprises)
    base, loads = platform.gateway, []
    es_index = index.index_name(platform.env["ECO_SEARCH_INDEX_PREFIX"])
    body = json.dumps(query.search_body(SEARCH), ensure_ascii=False)
    filter_path = ",".join(query.SEARCH_FILTER_PATH)  # the same request the gateway sends
    es_path = f"/{es_index}/_search?ignore_unavailable=true&filter_path={filter_path}"
    # The gateway answers a search repeated within half a second from memory (gateway.search.recent):
    # the same query over and over measures that; a new query on every request measures the rest.
    sample = "第0有限公司"
    template = json.dumps(query.search_body(sample), ensure_ascii=False).replace(sample, "QUERY")
    runs: list[tuple[str, str, int, dict[str, str], str | None, str | None]] = [
        ("trivial route GET /docs (baseline)", f"{base}/docs", 16, {}, None, None),
        ("code page GET /c/{token} HTML", f"{base}/c/{token}", 16, {}, None, None),
        (
            "code page GET /c/{token} JSON",
            f"{base}/c/{token}",
            16,
            {"Accept": "application/json"},
            None,
            None,
        ),
        (
            f"Elasticsearch _search '{SEARCH}' with facets (baseline)",
            f"{infra.ES_URL}{es_path}",
            8,
            {},
            body,
            None,
        ),
        (
            f"search GET /api/v1/search?q={SEARCH}",
            f"{base}/api/v1/search?q={quote(SEARCH)}",
            8,
            auth,
            None,
            None,
        ),
        (
            "Elasticsearch _search, a new query each time (baseline)",
            f"{infra.ES_URL}{es_path}",
            8,
            {},
            None,
            wrk.distinct_queries_script(es_path, "", template),
        ),
        (
            "search GET /api/v1/search, a new query each time",
            f"{base}/api/v1/search",
            8,
            auth,
            None,
            wrk.distinct_queries_script("/api/v1/search?q=", ""),
        ),
    ]
    if only:
        runs = runs[:3] if only == "pages" else runs[3:]
    for name, url, connections, headers, post, script in runs:
        load = partial(
            wrk.run, name, url, connections=connections, headers=headers, post_json=post, script=script
        )
        if warmup:
            # Steady state is what is compared: a route's first requests (connections opened,
            # templates compiled, caches filled) are loaded and discarded, for baselines alike.
            progress(f"wrk {connections} connections, {warmup}s warm-up (not counted): {name}")
            load(seconds=warmup)
        progress(f"wrk {connections} connections, {seconds}s: {name}")
        loads.append(load(seconds=seconds))
    return loads


def _water_station(station_id: str) -> monitoring_pb2.Station:
    return monitoring_pb2.Station(
        station_id=station_id,
        name=f"基准断面 {station_id}",
        town="浒山",
        location=common_pb2.GeoPoint(lat=30.17, lon=121.26),
        type=monitoring_pb2.STATION_TYPE_WATER_SECTION,
        water_section=monitoring_pb2.WaterSection(
            river="基准河",
            target_class=monitoring_pb2.WATER_CLASS_III,
            water_body=monitoring_pb2.WATER_BODY_RIVER,
            county_level_or_above=True,
        ),
        parameters=[monitoring_pb2.MonitoredParameter(code="NH3N", unit="mg/L", interval_seconds=3600)],
    )


def propagation(platform: Platform, auth: dict[str, str], incidents: int) -> list[float]:
    """Milliseconds from IngestReadings opening an exceedance to its alarm found by search and on
    the alarms map layer (the later of the two), for each incident."""
    md = (("authorization", f"Bearer {TOKEN}"),)
    times: list[float] = []
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with grpc.insecure_channel(platform.address("monitoring")) as ch, httpx.Client(timeout=5) as web:
        stub = monitoring_pb2_grpc.MonitoringServiceStub(ch)
        for n in range(incidents):
            station_id = infra.unique("WB")
            stub.RegisterStation(
                monitoring_pb2.RegisterStationRequest(station=_water_station(station_id)), metadata=md
            )
            batch = monitoring_pb2.ReadingBatch()
            for hours_ago in (2, 1, 0):  # hysteresis: three consecutive readings beyond class III
                ts = Timestamp()
                ts.FromDatetime(now - timedelta(hours=hours_ago))
                batch.readings.add(station_id=station_id, parameter="NH3N", time=ts, value=5.0)
            summary = stub.IngestReadings(batch, metadata=md)
            started = time.perf_counter()
            assert summary.alarms, f"incident {n}: no alarm opened"
            in_search = in_map = False
            while not (in_search and in_map):
                if time.perf_counter() - started > 30:
                    raise TimeoutError(f"incident {n}: alarm on {station_id} not in search/map after 30 s")
                if not in_search:
                    found = web.get(
                        f"{platform.gateway}/api/v1/search",
                        params={"q": station_id, "kind": "alarm"},
                        headers=auth,
                    ).json()
                    in_search = int(found.get("total", 0)) > 0
                if not in_map:
                    in_map = (
                        station_id
                        in web.get(f"{platform.gateway}/api/v1/map/alarms.geojson", headers=auth).text
                    )
                time.sleep(0.01)
            times.append((time.perf_counter() - started) * 1000)
    return times


def run(
    run_dir: Path, *, seconds: int, enterprises: int, incidents: int, warmup: int = 0, only: str = ""
) -> WebFigures:
    """Start the platform, seed it, and measure (`only`: "pages", "search" or "propagation", one
    part alone; the others' figures are then missing from the table)."""
    if only not in ("", *PARTS):
        raise SystemExit(f"BENCH_WEB_ONLY must be one of {', '.join(PARTS)}, got {only!r}")
    progress("web: starting every service and the gateway as processes")
    with running(run_dir) as platform:
        loads: list[wrk.Load] = []
        if only != "propagation":
            loads = code_page_and_search(platform, seconds, enterprises, warmup, only)
        times: list[float] = []
        if only in ("", "propagation"):
            if only:
                _operator(platform)
            progress(f"web: propagation of {incidents} exceedances to search and map")
            times = propagation(platform, {"Authorization": f"Bearer {OPERATOR_TOKEN}"}, incidents)
    return WebFigures(loads, times, only)


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(share * len(ordered))) - 1)]


def table(figures: WebFigures) -> str:
    """The figures with their ratios to the baselines of the same run, and the targets met or not."""
    lines = [f"{'route':<62} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'bad':>5}", "-" * 95]
    lines += [
        f"{x.name:<62} {x.rps:>8,.0f} {x.p50_ms:>8.1f} {x.p99_ms:>8.1f} {x.bad:>5}" for x in figures.loads
    ]
    lines.append("")
    if figures.only in ("", "pages"):
        trivial, page_html, page_json = figures.loads[:3]
        for page in (page_html, page_json):
            ok = page.ratio(trivial) >= 0.8 and page.p99_ms <= 2 * trivial.p99_ms
            lines.append(
                f"{page.name}: {page.ratio(trivial):.2f}x the trivial route's req/s (target >= 0.80), p99 "
                f"{page.p99_ms / trivial.p99_ms:.2f}x its p99 (target <= 2.00): {'meets' if ok else 'MISSES'}"
            )
    if figures.only in ("", "search"):
        direct, search, direct_new, search_new = figures.loads[-4:]
        for label, gateway, baseline in (
            ("same query", search, direct),
            ("a new query each time", search_new, direct_new),
        ):
            added = gateway.p50_ms - baseline.p50_ms
            ok = added <= 5 and gateway.ratio(baseline) >= 0.7
            lines.append(
                f"search, {label}: adds {added:.1f} ms at p50 over Elasticsearch (target <= 5), "
                f"{gateway.ratio(baseline):.2f}x its req/s (target >= 0.70): {'meets' if ok else 'MISSES'}"
            )
    if not figures.propagation_ms:
        return "\n".join(lines)
    p50, p95 = statistics.median(figures.propagation_ms), percentile(figures.propagation_ms, 0.95)
    lines.append(
        f"propagation reading -> search and map over {len(figures.propagation_ms)} incidents: "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms (target p95 <= 2000): {'meets' if p95 <= 2000 else 'MISSES'}"
    )
    return "\n".join(lines)
