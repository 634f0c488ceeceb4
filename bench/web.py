"""Web benchmarks (issue 16): the public code page against a trivial route of the same gateway,
search against the same query sent straight to Elasticsearch, and the time from a reading that
opens an exceedance to the alarm in search and on the map.

These machines are shared and noisy: one 10 s load can run at half the rate of the next for no
reason of its own. So every route is measured in rounds next to its baseline, in an order rotated
each round, and judged on the median over the rounds of its ratio to the baseline of the same round;
each round's figure is printed beside the verdict."""

from __future__ import annotations

import json
import math
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import quote

import grpc
import httpx
import sqlalchemy as sa
from google.protobuf.timestamp_pb2 import Timestamp

from bench import cpu, wrk
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
# Seconds the platform is watched at rest, seeded and settled, before the loads.
REST_SECONDS = 10


@dataclass(frozen=True)
class Route:
    """One load: what wrk sends, and to how many connections at once."""

    name: str
    url: str
    connections: int
    headers: dict[str, str] = field(default_factory=dict)
    post_json: str | None = None
    script: str | None = None


@dataclass(frozen=True)
class Plan:
    """How every load of the pages and search benchmarks is run: `seconds` each, in `rounds` rounds,
    after `warmup` seconds not counted before its first round; Elasticsearch warmed up for at most
    `es_warmup` seconds before any search load (`warm_up_search`)."""

    seconds: int
    rounds: int = 1
    warmup: int = 0
    es_warmup: int = 0


@dataclass(frozen=True)
class Comparison:
    """A route and the baseline it is judged against (both names of `Route`s measured in the same
    rounds), with the targets of issue 16 that apply: a page's or a search's, or none (a figure
    shown beside the judged ones to explain them)."""

    label: str
    route: str
    baseline: str
    targets: str  # "page", "search", or "" for none


@dataclass(frozen=True)
class Paired:
    """A route against its baseline, round by round (each round's two loads ran next to each other)
    and as the median of the rounds, which is what the targets are judged on."""

    ratios: list[float]  # route's req/s over the baseline's
    p99_ratios: list[float]  # route's p99 over the baseline's
    added_p50_ms: list[float]  # route's p50 minus the baseline's

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def p99_ratio(self) -> float:
        return statistics.median(self.p99_ratios)

    @property
    def added_p50(self) -> float:
        return statistics.median(self.added_p50_ms)

    def meets(self, targets: str) -> bool:
        """Issue 16: a page keeps >= 0.8x the trivial route's req/s with p99 <= 2x its p99; a search
        keeps >= 0.7x Elasticsearch's req/s and adds <= 5 ms at p50."""
        if targets == "page":
            return self.ratio >= 0.8 and self.p99_ratio <= 2
        return self.ratio >= 0.7 and self.added_p50 <= 5


def pair(baseline: list[wrk.Load], route: list[wrk.Load]) -> Paired:
    """`route` against `baseline`, round by round (the n-th load of each ran in the n-th round)."""
    if len(baseline) != len(route) or not route:
        raise ValueError(f"rounds differ: {len(baseline)} baseline loads, {len(route)} of the route")
    return Paired(
        ratios=[r.ratio(b) for b, r in zip(baseline, route, strict=True)],
        p99_ratios=[
            r.p99_ms / b.p99_ms if b.p99_ms else math.inf for b, r in zip(baseline, route, strict=True)
        ],
        added_p50_ms=[r.p50_ms - b.p50_ms for b, r in zip(baseline, route, strict=True)],
    )


def round_order(group: list[Route], round_index: int) -> list[Route]:
    """A group's loads in round `round_index`, rotated one place each round: every load runs first,
    second, ... in turn, so a machine that gets busier or quieter during a run, or a server still
    warming up, favours no load over its baseline."""
    shift = round_index % len(group)
    return group[shift:] + group[:shift]


def median_load(loads: list[wrk.Load]) -> wrk.Load:
    """One row for a route measured in several rounds: the median of each figure, every failure."""
    return wrk.Load(
        loads[0].name,
        statistics.median(x.rps for x in loads),
        statistics.median(x.p50_ms for x in loads),
        statistics.median(x.p99_ms for x in loads),
        sum(x.requests for x in loads),
        sum(x.bad for x in loads),
    )


PARTS = ("pages", "search", "propagation")
TRIVIAL = "trivial route GET /docs (baseline)"
PAGE_HTML = "code page GET /c/{token} HTML"
PAGE_JSON = "code page GET /c/{token} JSON"
ES_SAME = f"Elasticsearch _search '{SEARCH}' with facets (baseline)"
SEARCH_SAME = f"search GET /api/v1/search?q={SEARCH}"
ES_NEW = "Elasticsearch _search, a new query each time (baseline)"
SEARCH_NEW = "search GET /api/v1/search, a new query each time"
# One connection: what one operator waits for while the machine has CPU to spare. Issue 16 sets its
# targets at 8 connections, where both cores are busy and every millisecond of the gateway's CPU
# becomes about four of waiting; this shows the hop's own time beside that.
ES_NEW_ONE = "Elasticsearch _search, a new query each time, 1 connection (baseline)"
SEARCH_NEW_ONE = "search GET /api/v1/search, a new query each time, 1 connection"
COMPARISONS = (
    Comparison("code page HTML", PAGE_HTML, TRIVIAL, "page"),
    Comparison("code page JSON", PAGE_JSON, TRIVIAL, "page"),
    Comparison("search, same query", SEARCH_SAME, ES_SAME, "search"),
    Comparison("search, a new query each time", SEARCH_NEW, ES_NEW, "search"),
    Comparison("search, a new query each time, 1 connection", SEARCH_NEW_ONE, ES_NEW_ONE, ""),
)


@dataclass(frozen=True)
class WebFigures:
    loads: dict[str, list[wrk.Load]]  # each route's figures, round by round
    propagation_ms: list[float]
    only: str = ""  # one of PARTS when only that part was measured
    cpu: dict[str, list[cpu.Use]] = field(default_factory=dict)  # CPU per request, as `loads`
    idle: dict[str, float] = field(default_factory=dict)  # % of a core by group at rest, and "machine"


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


def _groups(platform: Platform, token: str, auth: dict[str, str], only: str) -> list[list[Route]]:
    """The loads of the pages and search benchmarks, in groups measured together in each round."""
    base = platform.gateway
    es_index = index.index_name(platform.env["ECO_SEARCH_INDEX_PREFIX"])
    body = json.dumps(query.search_body(SEARCH), ensure_ascii=False)
    filter_path = ",".join(query.SEARCH_FILTER_PATH)  # the same request the gateway sends
    es_path = f"/{es_index}/_search?ignore_unavailable=true&filter_path={filter_path}"
    # The gateway answers a search repeated within half a second from memory (gateway.search.recent):
    # the same query over and over measures that; a new query on every request measures the rest.
    sample = "第0有限公司"
    template = json.dumps(query.search_body(sample), ensure_ascii=False).replace(sample, "QUERY")
    pages = [
        Route(TRIVIAL, f"{base}/docs", 16),
        Route(PAGE_HTML, f"{base}/c/{token}", 16),
        Route(PAGE_JSON, f"{base}/c/{token}", 16, {"Accept": "application/json"}),
    ]
    same_query = [
        Route(ES_SAME, f"{infra.ES_URL}{es_path}", 8, post_json=body),
        Route(SEARCH_SAME, f"{base}/api/v1/search?q={quote(SEARCH)}", 8, auth),
    ]
    es_new_query = wrk.distinct_queries_script(es_path, "", template)
    search_new_query = wrk.distinct_queries_script("/api/v1/search?q=", "")
    new_query = [
        Route(ES_NEW, f"{infra.ES_URL}{es_path}", 8, script=es_new_query),
        Route(SEARCH_NEW, f"{base}/api/v1/search", 8, auth, script=search_new_query),
    ]
    one_connection = [
        Route(ES_NEW_ONE, f"{infra.ES_URL}{es_path}", 1, script=es_new_query),
        Route(SEARCH_NEW_ONE, f"{base}/api/v1/search", 1, auth, script=search_new_query),
    ]
    if only == "pages":
        return [pages]
    if only == "search":
        return [same_query, new_query, one_connection]
    return [pages, same_query, new_query, one_connection]


def _load(route: Route, seconds: int) -> wrk.Load:
    return wrk.run(
        route.name,
        route.url,
        connections=route.connections,
        headers=route.headers,
        post_json=route.post_json,
        script=route.script,
        seconds=seconds,
    )


def warm_up_search(route: Route, most_seconds: int, step: int = 5) -> list[float]:
    """Load Elasticsearch with `route` in steps of `step` seconds until its rate stops rising (three
    steps within 5 % of each other) or `most_seconds` have passed; returns the rates seen.

    A freshly started Elasticsearch answers a new query at a quarter of its later rate for most of a
    minute (measured: 68 req/s in the first 5 s, 214 a minute later, 800 in a warm run) while its
    JIT compiles the search path. A gateway compared with a baseline that is still warming looks
    cheaper than it is; a production server has been warm for weeks."""
    rates: list[float] = []
    for _ in range(max(1, most_seconds // step)):
        rates.append(_load(route, step).rps)
        progress(f"Elasticsearch warming up: {rates[-1]:,.0f} new queries/s")
        if len(rates) >= 3 and max(rates[-3:]) <= 1.05 * min(rates[-3:]):
            break
    return rates


def at_rest(meter: cpu.Meter, seconds: float) -> dict[str, float]:
    """The share of a core (%) each group of processes and the machine ("machine") used while
    nothing was asked of the platform for `seconds`: what every load's figures carry besides."""
    meter.start()
    time.sleep(seconds)
    use = meter.stop(requests=1)  # so the figures are ms over the whole wait
    percent = 100 / (1000 * seconds)
    return {**{g: ms * percent for g, ms in use.groups_ms.items()}, "machine": use.machine_ms * percent}


def code_page_and_search(
    platform: Platform, plan: Plan, enterprises: int, only: str = ""
) -> tuple[dict[str, list[wrk.Load]], dict[str, list[cpu.Use]], dict[str, float]]:
    """wrk on the trivial route, the code page (HTML, JSON), search, and search straight to ES, as
    `plan` says (`only`: "pages" or "search", one of the two groups). Returns each load's figures
    and the CPU it cost (by process, and the machine's) by round, and the platform's CPU at rest
    before the loads (`at_rest`)."""
    uscc = _seed_enterprises(platform, enterprises)
    token = _code_token(platform, uscc)
    auth = _operator(platform)
    _search_ready(platform, auth, enterprises)
    progress("every consumer catching up with the seeding's events")
    platform.settle()
    groups = _groups(platform, token, auth, only)
    measured: dict[str, list[wrk.Load]] = {r.name: [] for group in groups for r in group}
    used: dict[str, list[cpu.Use]] = {name: [] for name in measured}
    meter = cpu.Meter(
        {pid: cpu.GATEWAY if name == "gateway" else cpu.SERVICES for name, pid in platform.pids.items()}
    )
    progress(f"the platform at rest for {REST_SECONDS}s")
    idle = at_rest(meter, REST_SECONDS)
    if plan.es_warmup and only != "pages":
        warm_up_search(next(r for group in groups for r in group if r.name == ES_NEW), plan.es_warmup)
    for n in range(plan.rounds):
        for group in groups:
            for route in round_order(group, n):
                load = partial(_load, route)
                if plan.warmup and n == 0:
                    # Steady state is what is compared: a route's first requests (connections
                    # opened, templates compiled, caches filled) are loaded and discarded, for
                    # baselines alike.
                    progress(
                        f"wrk {route.connections} connections, {plan.warmup}s warm-up (not counted): "
                        f"{route.name}"
                    )
                    load(plan.warmup)
                progress(
                    f"round {n + 1}/{plan.rounds}, wrk {route.connections} connections, {plan.seconds}s: "
                    f"{route.name}"
                )
                meter.start()
                measured[route.name].append(done := load(plan.seconds))
                used[route.name].append(meter.stop(done.requests))
    return measured, used, idle


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


def run(run_dir: Path, plan: Plan, *, enterprises: int, incidents: int, only: str = "") -> WebFigures:
    """Start the platform, seed it, and measure, each load as `plan` says (`only`: "pages",
    "search" or "propagation", one part alone; the others' figures are then missing)."""
    if plan.rounds < 1:
        raise SystemExit(f"BENCH_WEB_ROUNDS must be at least 1, got {plan.rounds}")
    if only not in ("", *PARTS):
        raise SystemExit(f"BENCH_WEB_ONLY must be one of {', '.join(PARTS)}, got {only!r}")
    progress("web: starting every service and the gateway as processes")
    with running(run_dir) as platform:
        loads: dict[str, list[wrk.Load]] = {}
        used: dict[str, list[cpu.Use]] = {}
        idle: dict[str, float] = {}
        if only != "propagation":
            loads, used, idle = code_page_and_search(platform, plan, enterprises, only)
        times: list[float] = []
        if only in ("", "propagation"):
            if only:
                _operator(platform)
            progress(f"web: propagation of {incidents} exceedances to search and map")
            times = propagation(platform, {"Authorization": f"Bearer {OPERATOR_TOKEN}"}, incidents)
    return WebFigures(loads, times, only, used, idle)


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(share * len(ordered))) - 1)]


def _rounds(values: list[float], form: str) -> str:
    return ", ".join(form.format(v) for v in values)


def verdict(comparison: Comparison, paired: Paired) -> str:
    """One comparison's line: the medians judged against the targets (or shown, when it has none),
    then each round's figure."""
    if comparison.targets == "page":
        met = "meets" if paired.meets("page") else "MISSES"
        return (
            f"{comparison.label}: {paired.ratio:.2f}x the trivial route's req/s (target >= 0.80), p99 "
            f"{paired.p99_ratio:.2f}x its p99 (target <= 2.00): {met}  [rounds: "
            f"{_rounds(paired.ratios, '{:.2f}x')}; p99 {_rounds(paired.p99_ratios, '{:.2f}x')}]"
        )
    if comparison.targets:
        met = "meets" if paired.meets(comparison.targets) else "MISSES"
        ms_target, judged = " (target <= 5)", f" (target >= 0.70): {met}"
    else:
        ms_target, judged = "", " (shown, not a target)"
    return (
        f"{comparison.label}: adds {paired.added_p50:.1f} ms at p50 over Elasticsearch{ms_target}, "
        f"{paired.ratio:.2f}x its req/s{judged}  [rounds: "
        f"{_rounds(paired.added_p50_ms, '{:+.1f} ms')}; {_rounds(paired.ratios, '{:.2f}x')}]"
    )


def cpu_by_process(figures: WebFigures) -> list[str]:
    """Each load's CPU per request by process (medians over its rounds), and for each search
    comparison what the route spent beyond its baseline, by process (the median of the rounds'
    differences): where the machine's time went, which the targets' verdicts swing on."""
    shown = [name for name in figures.loads if figures.cpu.get(name)]
    title = "CPU per request by process, ms (median of rounds)"
    width = max(len(title), *(len(name) for name in shown))
    lines = [
        f"{title:<{width}} " + " ".join(f"{g:>13}" for g in cpu.GROUPS),
        "-" * (width + 14 * len(cpu.GROUPS)),
    ]
    for name in shown:
        used = figures.cpu[name]
        medians = (statistics.median(u.groups_ms.get(g, 0.0) for u in used) for g in cpu.GROUPS)
        lines.append(f"{name:<{width}} " + " ".join(f"{ms:>13.2f}" for ms in medians))
    for comparison in COMPARISONS:
        base, route = figures.cpu.get(comparison.baseline), figures.cpu.get(comparison.route)
        if comparison.targets != "search" or not base or not route or len(base) != len(route):
            continue
        extra = {
            g: statistics.median(
                r.groups_ms.get(g, 0.0) - b.groups_ms.get(g, 0.0) for b, r in zip(base, route, strict=True)
            )
            for g in cpu.GROUPS
        }
        machine = statistics.median(r.machine_ms - b.machine_ms for b, r in zip(base, route, strict=True))
        lines.append(
            f"{comparison.label}: {machine:+.2f} ms of machine CPU per request over Elasticsearch: "
            + ", ".join(f"{g} {ms:+.2f}" for g, ms in extra.items())
        )
    return lines


def table(figures: WebFigures) -> str:
    """Each route's median figures over its rounds, each comparison's median ratios against the
    baseline measured in the same rounds with the targets met or not, and the propagation times."""
    rounds = max((len(x) for x in figures.loads.values()), default=0)
    lines = [
        f"{'route (median of ' + str(rounds) + ' rounds)':<62} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'bad':>5} {'gateway CPU':>12} {'all CPU':>8} {'steal':>6}",
        f"{'':<62} {'':>8} {'':>8} {'':>8} {'':>5} {'ms/request':>12} {'ms/req':>8} {'':>6}",
        "-" * 131,
    ]
    for name, loads in figures.loads.items():
        x = median_load(loads)
        row = f"{x.name:<62} {x.rps:>8,.0f} {x.p50_ms:>8.1f} {x.p99_ms:>8.1f} {x.bad:>5}"
        if used := figures.cpu.get(name):
            row += (
                f" {statistics.median(u.process_ms for u in used):>12.2f}"
                f" {statistics.median(u.machine_ms for u in used):>8.2f}"
                f" {statistics.median(u.steal_share for u in used):>6.0%}"
            )
        lines.append(row)
    lines.append("")
    for comparison in COMPARISONS:
        if comparison.route in figures.loads:
            paired = pair(figures.loads[comparison.baseline], figures.loads[comparison.route])
            lines.append(verdict(comparison, paired))
    if figures.cpu:
        lines += ["", *cpu_by_process(figures)]
    if figures.idle:
        shares = ", ".join(f"{g} {figures.idle.get(g, 0.0):.1f} %" for g in cpu.GROUPS)
        lines.append(
            f"the platform at rest before the loads ({REST_SECONDS}s), % of a core: {shares}; "
            f"the machine {figures.idle.get('machine', 0.0):.1f} %"
        )
    if not figures.propagation_ms:
        return "\n".join(lines)
    p50, p95 = statistics.median(figures.propagation_ms), percentile(figures.propagation_ms, 0.95)
    lines.append(
        f"propagation reading -> search and map over {len(figures.propagation_ms)} incidents: "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms (target p95 <= 2000): {'meets' if p95 <= 2000 else 'MISSES'}"
    )
    return "\n".join(lines)
