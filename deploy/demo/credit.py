"""The demo city's credit part (services/evaluation), checked once the enforcement and risk stories
are told. Nothing is loaded here: evaluation is a read model of every topic, so this waits for it
and fails loudly when the stories did not reach it:
- every demo enterprise rated, each with the explanation of its level;
- not all green: the enterprises the stories touched leave green (a fine, a penalised case, an
  emergency, an overdue hazard), and the distribution is printed;
- KPIs and scorecards with values, and the status report of the last month rendered (HTML, PDF);
- the codes service showing a changed colour (it consumes CreditChanged).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from deploy.demo import city
from deploy.demo.dates import last_month, load_day
from deploy.demo.registry import pb_date
from deploy.demo.story import StoryNotTold
from eco.v1 import (
    codes_pb2,
    codes_pb2_grpc,
    common_pb2,
    evaluation_pb2,
    evaluation_pb2_grpc,
)
from shared.grpc.client import call_metadata

E = evaluation_pb2
WAIT_SECONDS = 60
# Monitoring publishes closed days' AQI every ECO_MONITORING_DAILY_AQI_SECONDS (60 by default).
AIR_WAIT_SECONDS = 150
# The enterprises the stories make leave green, and what should have done it
# (services/evaluation/rules: a fine or an emergency caps the level at yellow, an overdue hazard
# costs 8 points).
EXPECTED_NOT_GREEN = {
    101: "penalised case closed (enforcement demo:8)",
    103: "grade IV emergency (risk)",
    104: "fine decided (enforcement demo:6)",
    108: "hazard overdue (risk)",
}


def level_name(level: int) -> str:
    """'green' for CREDIT_LEVEL_GREEN, and so on."""
    return common_pb2.CreditLevel.Name(level).removeprefix("CREDIT_LEVEL_").lower()  # type: ignore[arg-type]


@dataclass(frozen=True)
class CreditStory:
    levels: dict[str, int]  # uscc -> CreditLevel
    report_title: str
    recoloured: str  # an enterprise whose code shows its new colour


def _credits(
    stub: evaluation_pb2_grpc.EvaluationServiceStub, md: tuple[tuple[str, str], ...]
) -> dict[str, evaluation_pb2.Credit]:
    found: dict[str, evaluation_pb2.Credit] = {}
    token = ""
    while True:
        page = common_pb2.PageRequest(page_size=200, page_token=token)
        reply = stub.ListCredits(E.ListCreditsRequest(page=page), metadata=md)
        found.update({c.uscc: c for c in reply.credits})
        token = reply.page.next_page_token
        if not token:
            return found


def wait_for_ratings(
    stub: evaluation_pb2_grpc.EvaluationServiceStub, token: str
) -> dict[str, evaluation_pb2.Credit]:
    """Every demo enterprise's credit once evaluation rated them all and the stories' enterprises
    left green; TimeoutError naming what is missing after WAIT_SECONDS."""
    md, deadline = call_metadata(token), time.monotonic() + WAIT_SECONDS
    wanted = {e.uscc for e in city.ENTERPRISES}
    while True:
        found = {u: c for u, c in _credits(stub, md).items() if u in wanted}
        unrated = sorted(wanted - set(found))
        green = [
            f"{s} ({why})"
            for s, why in EXPECTED_NOT_GREEN.items()
            if (c := found.get(city_uscc(s))) is None or c.level == common_pb2.CREDIT_LEVEL_GREEN
        ]
        if not unrated and not green:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"evaluation after {WAIT_SECONDS} s: {len(unrated)} demo enterprise(s) unrated"
                f" ({', '.join(unrated[:3])}...); still green or unrated: {', '.join(green) or 'none'}"
            )
        time.sleep(0.5)


def city_uscc(serial: int) -> str:
    """The USCC of the demo enterprise with this serial."""
    return next(e.uscc for e in city.ENTERPRISES if e.serial == serial)


def check_figures(
    stub: evaluation_pb2_grpc.EvaluationServiceStub, token: str, now: datetime
) -> tuple[list[str], str]:
    """KPIs and scorecards with values, and the status report of the last month rendered (lines to
    print, the report's title); raises StoryNotTold when one is empty."""
    md, today = call_metadata(token), load_day(now)
    told: list[str] = []
    kpis = stub.ListKpis(E.ListKpisRequest(at=pb_date(today)), metadata=md).kpis
    defined = [k for k in kpis if not k.undefined]
    if not defined:
        raise StoryNotTold(f"evaluation has no KPI with a value on {today} (of {len(kpis)})")
    told.append(f"KPIs: {len(defined)} of {len(kpis)} with a value on {today}")
    told.append(wait_for_air_share(stub, token, today))
    start, end = last_month(today)
    period = {"from": pb_date(start), "to": pb_date(end)}
    cards = stub.ListScorecards(E.ListScorecardsRequest(**period), metadata=md).scorecards
    if not cards:
        raise StoryNotTold(f"evaluation has no scorecard for {start} to {end}")
    best = min(cards, key=lambda c: c.rank)
    told.append(f"scorecards: {len(cards)} towns ranked, first {best.subject} ({best.score:.1f})")
    request = E.GetStatusReportRequest(format=E.REPORT_FORMAT_HTML, **period)
    report = stub.GetStatusReport(request, metadata=md)
    if not report.media_type.startswith("text/html") or start.isoformat() not in report.title:
        raise StoryNotTold(f"the status report for {start} to {end} did not render: {report.title!r}")
    if b"data:image/png;base64," not in report.content:  # its charts, credit levels among them
        raise StoryNotTold(f"the status report {report.title!r} has no charts")
    pdf = stub.GetStatusReport(E.GetStatusReportRequest(format=E.REPORT_FORMAT_PDF, **period), metadata=md)
    if pdf.media_type != "application/pdf" or not pdf.content.startswith(b"%PDF"):
        raise StoryNotTold(
            f"the status report for {start} to {end} did not render as PDF: {pdf.media_type!r}"
        )
    told.append(
        f"status report: {report.title} ({len(report.content) // 1024} KiB of HTML,"
        f" {len(pdf.content) // 1024} KiB of PDF)"
    )
    return told, report.title


def wait_for_air_share(stub: evaluation_pb2_grpc.EvaluationServiceStub, token: str, today: date) -> str:
    """The good-AQI-day share of yesterday (the day the demo's air readings cover whole), once
    monitoring published its daily AQI and evaluation took it in; StoryNotTold after AIR_WAIT_SECONDS."""
    md, deadline = call_metadata(token), time.monotonic() + AIR_WAIT_SECONDS
    day = pb_date(today - timedelta(days=1))
    request = E.GetKpiRequest(name="good_aqi_day_share")
    getattr(request, "from").CopyFrom(day)  # "from" is a Python keyword
    request.to.CopyFrom(day)
    while True:
        kpi = stub.GetKpi(request, metadata=md)
        if not kpi.undefined:
            return (
                f"good-AQI-day share of {today - timedelta(days=1)}: {kpi.numerator}/{kpi.denominator}"
                f" city days (target {kpi.target:.0%})"
            )
        if time.monotonic() > deadline:
            raise StoryNotTold(
                f"no valid daily AQI of {today - timedelta(days=1)} reached evaluation after "
                f"{AIR_WAIT_SECONDS} s (monitoring's daily-AQI worker? evaluation's consumer?)"
            )
        time.sleep(1)


def wait_for_recolour(
    stub: codes_pb2_grpc.CodesServiceStub,
    token: str,
    codes: dict[str, codes_pb2.Code],
    credits: dict[str, evaluation_pb2.Credit],
) -> str:
    """An enterprise whose code shows its new (not green) level, once the codes service consumed the
    CreditChanged; TimeoutError after WAIT_SECONDS."""
    md, deadline = call_metadata(token), time.monotonic() + WAIT_SECONDS
    changed = [city_uscc(s) for s in EXPECTED_NOT_GREEN]
    while True:
        for uscc in changed:
            request = codes_pb2.ResolveTokenRequest(token=codes[uscc].token, record_scan=False)
            status = stub.ResolveToken(request, metadata=md).status
            # The level evaluation gave, or a worse one should more of the stories' events have come since.
            if status.credit_level >= credits[uscc].level:
                return uscc
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"no code shows its new credit colour after {WAIT_SECONDS} s (codes' consumer?)"
            )
        time.sleep(0.5)


def check(
    evaluation: evaluation_pb2_grpc.EvaluationServiceStub,
    codes_stub: codes_pb2_grpc.CodesServiceStub,
    token: str,
    now: datetime,
    codes: dict[str, codes_pb2.Code],
) -> tuple[CreditStory, list[str]]:
    """The credit story and what to print of it; raises StoryNotTold or TimeoutError with the reason."""
    credits = wait_for_ratings(evaluation, token)
    unexplained = sorted(u for u, c in credits.items() if not c.explanation)
    if unexplained:
        raise StoryNotTold(f"credit without an explanation: {', '.join(unexplained)}")
    counts = Counter(level_name(c.level) for c in credits.values())
    lines = ["credit levels: " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))]
    for serial in EXPECTED_NOT_GREEN:
        e = next(x for x in city.ENTERPRISES if x.serial == serial)
        c = credits[e.uscc]
        lines.append(f"  {e.name} {level_name(c.level)} ({EXPECTED_NOT_GREEN[serial]}): {c.explanation}")
    figures, title = check_figures(evaluation, token, now)
    lines.extend(figures)
    recoloured = wait_for_recolour(codes_stub, token, codes, credits)
    lines.append(f"code of {recoloured} now framed {level_name(credits[recoloured].level)}")
    story = CreditStory({u: c.level for u, c in credits.items()}, title, recoloured)
    return story, lines
