"""The environmental status report (生态环境状况报告) of a period: its figures gathered from the read
model only, then drawn by adapters/report_render.py as HTML or PDF."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from services.evaluation.adapters import report_render
from services.evaluation.adapters import repository as repo
from services.evaluation.domain import hotspots as spots
from services.evaluation.domain import kpis
from services.evaluation.domain.levels import ORDER
from services.evaluation.domain.periods import Period, month_ends, period
from services.evaluation.service_layer.unit_of_work import Deps
from shared.china_time import local_day

AQI_NOTE = (
    "监测服务尚未发布日均AQI事件，本期不计算优良天数比例 (monitoring publishes no daily AQI events yet)."
)


@dataclass(frozen=True)
class Rendered:
    title: str
    media_type: str
    content: bytes
    period: Period


def gather(deps: Deps, p: Period) -> report_render.ReportData:
    """Every figure of the report, from the read model."""
    with deps.engine.connect() as conn:
        inp = kpis.Inputs(
            repo.facts_by_type(conn, types=(*kpis.KPI_TYPES, *spots.TYPES)), repo.get_profiles(conn)
        )
        levels = repo.level_counts(conn)
    city = kpis.Scope()
    figures = kpis.compute_all(inp, city, p.end, p.start, p.end, deps.targets)
    monthly = []
    for end in month_ends(p):
        share = kpis.section_target_share(inp, city, end, end, end, deps.targets)
        exceedances = sum(
            1
            for f in inp.of("ExceedanceDetected")
            if f.get("station_type") == "WATER_SECTION" and end.replace(day=1) <= local_day(f.at) <= end
        )
        monthly.append(
            report_render.Month(end.strftime("%Y-%m"), share.value, share.denominator, exceedances)
        )
    ranking, offenders = spots.hotspots(inp.facts, inp.profiles, "town", p, 10)
    problems = Counter(
        f.town or "(unknown)" for f in inp.of("ProblemOpened") if p.start <= local_day(f.at) <= p.end
    )
    return report_render.ReportData(
        start=p.start,
        end=p.end,
        kpis=figures,
        months=monthly,
        credit_levels=[(lv.value, lv.label, levels.get(lv.value, 0)) for lv in ORDER],
        problems_by_town=sorted(problems.items(), key=lambda kv: (-kv[1], kv[0])),
        hotspots=ranking,
        offenders=offenders,
        aqi_note=AQI_NOTE,
    )


def render(deps: Deps, *, start: date | None, end: date | None, pdf: bool) -> Rendered:
    """The report of [start, end] (default: the year to date) as HTML or PDF."""
    p = period(start, end, deps.today())
    data = gather(deps, p)
    title = f"生态环境状况报告 {p.start.isoformat()} 至 {p.end.isoformat()}"
    if pdf:
        return Rendered(title, "application/pdf", report_render.pdf(data, title, deps.font_path), p)
    return Rendered(
        title, "text/html; charset=utf-8", report_render.html(data, title, deps.font_path).encode(), p
    )
