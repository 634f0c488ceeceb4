"""The environmental status report (生态环境状况报告) of a period: its figures gathered from the read
model only, then drawn by adapters/report_render.py as HTML or PDF."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from services.evaluation.adapters import air_days as air_days_repo
from services.evaluation.adapters import report_render
from services.evaluation.adapters import repository as repo
from services.evaluation.domain import city_air, kpis
from services.evaluation.domain import hotspots as spots
from services.evaluation.domain.levels import ORDER
from services.evaluation.domain.periods import Period, month_ends, period
from services.evaluation.service_layer.unit_of_work import Deps
from shared.china_time import local_day

NO_AIR_NOTE = "本期无城市日AQI，不计算优良天数比例 (no city day with an AQI in this period)."


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
            repo.facts_by_type(conn, types=(*kpis.KPI_TYPES, *spots.TYPES)),
            repo.get_profiles(conn),
            air_days_repo.get_all(conn, start=p.start, end=p.end),
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
        aqi_note=_aqi_note(next(k for k in figures if k.name == "good_aqi_day_share")),
        air_days=_air_trend(inp, city),
        air_months=[_air_month(inp, city, end, deps) for end in month_ends(p)],
        aqi_target=deps.targets.target("good_aqi_day_share"),
    )


def _aqi_note(k: kpis.Kpi) -> str:
    if k.undefined:
        return NO_AIR_NOTE
    return f"优良天数比例 {k.value:.1%} ({k.numerator}/{k.denominator}), 目标 {k.target:.0%}; {k.note}"


def _air_trend(inp: kpis.Inputs, city: kpis.Scope) -> list[report_render.AirDayPoint]:
    """Each day's city AQI (HJ 663-2013: from the means of the valid stations' concentrations); days
    without one are left out, as the good-day share leaves them out."""
    station_days = [d for d in inp.air_days if city.has(d.town)]
    return [
        report_render.AirDayPoint(d.day, d.result.aqi, d.valid_stations)
        for d in city_air.city_days(station_days)
        if d.result is not None
    ]


def _air_month(inp: kpis.Inputs, city: kpis.Scope, end: date, deps: Deps) -> report_render.AirMonth:
    k = kpis.good_aqi_day_share(inp, city, end, end.replace(day=1), end, deps.targets)
    return report_render.AirMonth(end.strftime("%Y-%m"), k.value, k.denominator)


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
