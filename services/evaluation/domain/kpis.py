"""KPIs at a date or over a period, computed from facts: each with its numerator, denominator,
target and the time of the newest event it counts. A KPI no event can support says so (`undefined`
with a note) rather than showing 0.

Stock KPIs (holding rates, coverage, sections at target) are read at the end of a day in Cixi;
flow KPIs (closure, on-time and rectification rates) count what was opened or closed in a period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.evaluation.domain import city_air
from services.evaluation.domain.air_days import AirDay
from services.evaluation.domain.facts import Fact, sort_key
from services.evaluation.domain.profiles import Profile
from services.evaluation.domain.targets import Targets
from shared.china_time import day_start

PERMIT_GRANTS = ("PermitIssued", "PermitRenewed", "PermitReinstated")
PERMIT_ENDS = ("PermitRevoked", "PermitSuspended")
RADIATION_GRANTS = ("RadiationPermitIssued", "RadiationPermitRenewed")
STATION_TYPES = ("StationRegistered", "ExceedanceDetected", "ExceedanceCleared", "DeviceFault")
PROBLEM_TYPES = ("ProblemOpened", "CaseAdvanced", "CaseEscalated")
OTHER_TYPES = ("HazardReported", "HazardClosed", "PetitionClosed", "PetitionReceived", "DisusedSourceChanged")
# Every fact type a KPI reads (the service layer loads these).
KPI_TYPES = (
    *PERMIT_GRANTS,
    *PERMIT_ENDS,
    "PermitExpired",
    *RADIATION_GRANTS,
    "RadiationPermitExpired",
    *STATION_TYPES,
    *PROBLEM_TYPES,
    *OTHER_TYPES,
)

TITLES = {
    "discharge_permit_holding_rate": "排污许可持证率",
    "radiation_permit_holding_rate": "辐射安全许可持证率",
    "radioactive_disposal_rate": "废旧放射源及放射性废物安全收贮率",
    "section_monitoring_coverage": "县级以上断面自动监测覆盖率",
    "section_target_share": "断面水质达标率",
    "good_aqi_day_share": "空气质量优良天数比例",
    "problem_closure_rate": "问题销号率",
    "problem_on_time_rate": "问题按期办结率",
    "hazard_rectification_rate": "隐患整改率",
    "petition_on_time_rate": "信访按期办结率",
}
NAMES = tuple(TITLES)


@dataclass(frozen=True)
class Kpi:
    name: str
    numerator: int
    denominator: int
    target: float
    at: date
    start: date
    end: date
    newest_event_at: datetime | None
    note: str = ""

    @property
    def title(self) -> str:
        """The KPI's Chinese name."""
        return TITLES[self.name]

    @property
    def undefined(self) -> bool:
        """True when nothing was there to count."""
        return self.denominator == 0

    @property
    def value(self) -> float:
        """numerator / denominator (0 when undefined)."""
        return self.numerator / self.denominator if self.denominator else 0.0


@dataclass(frozen=True)
class Scope:
    """What a KPI counts: the city, one town, or the cases one department owns."""

    town: str = ""
    department: str = ""

    def has(self, town: str) -> bool:
        """Whether a thing in `town` is in scope (a department scope has no towns)."""
        return not self.department and (not self.town or town == self.town)


@dataclass(frozen=True)
class Inputs:
    """The facts, profiles and air stations' days the KPIs read."""

    facts: list[Fact]
    profiles: list[Profile]
    air_days: list[AirDay] = field(default_factory=list)

    def of(self, *types: str) -> list[Fact]:
        """The facts of these types."""
        return [f for f in self.facts if f.type in types]


def end_of(day: date) -> datetime:
    """The last instant of a day in Cixi."""
    return day_start(day + timedelta(days=1)) - timedelta(microseconds=1)


def _newest(*groups: list[Fact] | list[datetime]) -> datetime | None:
    times = [x.at if isinstance(x, Fact) else x for g in groups for x in g]
    return max(times) if times else None


def _valid(facts: list[Fact], grants: tuple[str, ...], ends: tuple[str, ...], day: date) -> bool:
    """Whether one permit (its facts) was in force on `day`."""
    covered = any(
        f.type in grants
        and date.fromisoformat(f.get("valid_from")) <= day <= date.fromisoformat(f.get("valid_until"))
        for f in facts
        if f.get("valid_from") and f.get("valid_until")
    )
    steps = sorted((f for f in facts if f.type in grants + ends), key=sort_key)
    return covered and bool(steps) and steps[-1].type in grants


def _holding(
    name: str,
    inp: Inputs,
    holders: list[Profile],
    grants: tuple[str, ...],
    ends: tuple[str, ...],
    at: date,
    t: Targets,
) -> Kpi:
    until = end_of(at)
    by_uscc: dict[str, dict[str, list[Fact]]] = defaultdict(lambda: defaultdict(list))
    counted = []
    for f in inp.of(*grants, *ends, "PermitExpired", "RadiationPermitExpired"):
        if f.at <= until:
            by_uscc[f.uscc][f.subject].append(f)
    held = 0
    for p in holders:
        permits = by_uscc.get(p.uscc, {})
        counted += [f for fs in permits.values() for f in fs]
        if any(_valid(fs, grants, ends, at) for fs in permits.values()):
            held += 1
    newest = _newest(counted, [p.as_of for p in holders])
    return Kpi(name, held, len(holders), t.target(name), at, at, at, newest)


def discharge_permit_holding_rate(inp: Inputs, scope: Scope, at: date, _s: date, _e: date, t: Targets) -> Kpi:
    """Enterprises of the key and simplified classes holding a discharge permit in force on `at`."""
    holders = [
        p for p in inp.profiles if p.needs_permit and p.registered_at <= end_of(at) and scope.has(p.town)
    ]
    return _holding("discharge_permit_holding_rate", inp, holders, PERMIT_GRANTS, PERMIT_ENDS, at, t)


def radiation_permit_holding_rate(inp: Inputs, scope: Scope, at: date, _s: date, _e: date, t: Targets) -> Kpi:
    """Enterprises flagged with radiation sources holding a radiation-safety permit in force on `at`."""
    holders = [p for p in inp.profiles if p.radiation and p.registered_at <= end_of(at) and scope.has(p.town)]
    return _holding("radiation_permit_holding_rate", inp, holders, RADIATION_GRANTS, (), at, t)


def _sections(inp: Inputs, scope: Scope, until: datetime, *, county_only: bool) -> dict[str, Fact]:
    return {
        f.subject: f
        for f in inp.of("StationRegistered")
        if f.at <= until
        and f.get("station_type") == "WATER_SECTION"
        and (f.get("county_level") or not county_only)
        and scope.has(f.town)
    }


def section_monitoring_coverage(inp: Inputs, scope: Scope, at: date, _s: date, _e: date, t: Targets) -> Kpi:
    """County-level-or-above sections whose automatic station was reporting at the end of `at`.

    Monitoring announces a missing-data fault but not its end, so a station counts as silent from
    its missing-data fault until any later event of that station shows it reporting again."""
    until = end_of(at)
    sections = _sections(inp, scope, until, county_only=True)
    events = [f for f in inp.of(*STATION_TYPES[1:]) if f.at <= until and f.get("station_id") in sections]
    by_station: dict[str, list[Fact]] = defaultdict(list)
    for f in events:
        by_station[f.get("station_id")].append(f)
    silent = 0
    for station_id in sections:
        mine = sorted(by_station.get(station_id, []), key=sort_key)
        if mine and mine[-1].type == "DeviceFault" and mine[-1].get("kind") == "MISSING_DATA":
            silent += 1
    name = "section_monitoring_coverage"
    newest = _newest(list(sections.values()), events)
    return Kpi(
        name,
        len(sections) - silent,
        len(sections),
        t.target(name),
        at,
        at,
        at,
        newest,
        "silent: a missing-data fault with no later event from the station",
    )


def section_target_share(inp: Inputs, scope: Scope, at: date, _s: date, _e: date, t: Targets) -> Kpi:
    """Water sections with no exceedance of their target class open at the end of `at`."""
    until = end_of(at)
    sections = _sections(inp, scope, until, county_only=False)
    open_at: set[str] = set()
    exceedances: dict[str, list[Fact]] = defaultdict(list)
    for f in inp.of("ExceedanceDetected", "ExceedanceCleared"):
        if f.at <= until and f.get("station_id") in sections:
            exceedances[f.subject].append(f)
    for group in exceedances.values():
        cleared = [datetime.fromisoformat(c) for f in group if (c := f.get("cleared_at"))]
        if not any(c <= until for c in cleared):
            open_at.add(group[0].get("station_id"))
    name = "section_target_share"
    counted = [f for g in exceedances.values() for f in g]
    return Kpi(
        name,
        len(sections) - len(open_at),
        len(sections),
        t.target(name),
        at,
        at,
        at,
        _newest(list(sections.values()), counted),
    )


def radioactive_disposal_rate(inp: Inputs, scope: Scope, at: date, _s: date, _e: date, t: Targets) -> Kpi:
    """Disused radioactive sources and waste batches disused by `at` that went to safe disposal by
    then (放射性同位素与射线装置安全和防护条例 art. 32: returned to the producer or sent to a storage
    facility within 3 months of disuse). Counted by the dates risk reports (disused_on, disposed_on),
    so a disposal recorded a day late still counts on the day it happened; towns from the registry."""
    towns = {p.uscc: p.town for p in inp.profiles}
    by_source: dict[str, list[Fact]] = defaultdict(list)
    for f in inp.of("DisusedSourceChanged"):
        by_source[f.subject].append(f)
    counted: list[Fact] = []
    disposed = 0
    for facts in by_source.values():
        disused_on = max((f.get("disused_on") for f in facts if f.get("disused_on")), default="")
        if (
            not disused_on
            or date.fromisoformat(disused_on) > at
            or not scope.has(towns.get(facts[0].uscc, ""))
        ):
            continue
        counted += facts
        done = [date.fromisoformat(d) for f in facts if (d := f.get("disposed_on"))]
        disposed += any(d <= at for d in done)
    name = "radioactive_disposal_rate"
    sources = len({f.subject for f in counted})
    note = "" if sources else "no disused source or radioactive waste recorded by this date"
    return Kpi(name, disposed, sources, t.target(name), at, at, at, _newest(counted), note)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def good_aqi_day_share(inp: Inputs, scope: Scope, at: date, start: date, end: date, t: Targets) -> Kpi:
    """City days of the period that were excellent or good (AQI <= 100, HJ 633-2012 levels I-II) over
    the city days with an AQI: one AQI per day from the means of the valid stations' concentrations in
    scope (HJ 663-2013, domain/city_air.py). Days with no valid station, or with a pollutant no valid
    station gave, have no city AQI and are left out of both (GB 3095-2012 table 4)."""
    station_days = [d for d in inp.air_days if start <= d.day <= end and scope.has(d.town)]
    days = city_air.city_days(station_days)
    counted = [d for d in days if d.counted]
    good = sum(1 for d in counted if d.good)
    name = "good_aqi_day_share"
    return Kpi(
        name,
        good,
        len(counted),
        t.target(name),
        at,
        start,
        end,
        max((d.at for d in station_days), default=None),
        _air_note(days),
    )


def _air_note(days: list[city_air.CityDay]) -> str:
    """What the share counted and what it left out, with counts."""
    counted = sum(1 for d in days if d.counted)
    parts = [
        f"city days (HJ 663-2013: one AQI per day from the mean of the valid stations' concentrations): "
        f"{_plural(counted, 'day')} with a city AQI"
    ]
    no_station = sum(1 for d in days if not d.valid_stations)
    if no_station:
        parts.append(f"{_plural(no_station, 'day')} with no valid station left out")
    short: dict[str, int] = defaultdict(int)
    for d in days:
        for pollutant in d.missing:
            short[pollutant] += 1
    incomplete = sum(1 for d in days if d.missing)
    if incomplete:
        which = ", ".join(f"{p} on {_plural(n, 'day')}" for p, n in sorted(short.items()))
        parts.append(f"{_plural(incomplete, 'day')} left out for a pollutant no valid station gave ({which})")
    invalid = sum(d.invalid_stations for d in days)
    if invalid:
        parts.append(f"{_plural(invalid, 'station-day')} without valid data left out of the means")
    bare = sum(d.without_concentrations for d in days)
    if bare:
        parts.append(
            f"{_plural(bare, 'valid station-day')} stored without concentrations (before evaluation kept "
            "them; a replay refills them) gave no figure"
        )
    return "; ".join(parts)


def _case_departments(inp: Inputs, until: datetime) -> dict[str, str]:
    """Each case's owning department, from its newest step."""
    owners: dict[str, Fact] = {}
    for f in inp.of("CaseAdvanced"):
        if f.at <= until and (f.subject not in owners or sort_key(f) > sort_key(owners[f.subject])):
            owners[f.subject] = f
    return {case: str(f.get("owner_department", "")) for case, f in owners.items()}


def _in_scope(scope: Scope, f: Fact, case_id: str, departments: dict[str, str]) -> bool:
    if scope.department:
        return departments.get(case_id, "") == scope.department
    return scope.has(f.town)


def problem_closure_rate(inp: Inputs, scope: Scope, at: date, start: date, end: date, t: Targets) -> Kpi:
    """Problems opened in the period whose case was closed (销号) by the period's end."""
    until = end_of(end)
    departments = _case_departments(inp, until)
    problems = [
        f
        for f in inp.of("ProblemOpened")
        if day_start(start) <= f.at <= until and _in_scope(scope, f, f.get("case_id", ""), departments)
    ]
    closings = [f for f in inp.of("CaseAdvanced") if f.at <= until and f.get("to_stage") == "CLOSED"]
    closed_cases = {f.subject for f in closings}
    closed = sum(1 for p in problems if p.get("case_id") in closed_cases)
    name = "problem_closure_rate"
    return Kpi(name, closed, len(problems), t.target(name), at, start, end, _newest(problems, closings))


def problem_on_time_rate(inp: Inputs, scope: Scope, at: date, start: date, end: date, t: Targets) -> Kpi:
    """Cases closed in the period that never passed a stage deadline (no overdue escalation)."""
    until = end_of(end)
    departments = _case_departments(inp, until)
    closings = {
        f.subject: f
        for f in inp.of("CaseAdvanced")
        if day_start(start) <= f.at <= until
        and f.get("to_stage") == "CLOSED"
        and _in_scope(scope, f, f.subject, departments)
    }
    late = {f.subject for f in inp.of("CaseEscalated") if f.at <= until and f.get("reason") == "OVERDUE"} | {
        case for case, f in closings.items() if f.get("overdue")
    }
    on_time = sum(1 for case in closings if case not in late)
    name = "problem_on_time_rate"
    return Kpi(name, on_time, len(closings), t.target(name), at, start, end, _newest(list(closings.values())))


def hazard_rectification_rate(inp: Inputs, scope: Scope, at: date, start: date, end: date, t: Targets) -> Kpi:
    """Hazards found in the period whose rectification was verified (closed) by the period's end."""
    until = end_of(end)
    reported = [
        f for f in inp.of("HazardReported") if day_start(start) <= f.at <= until and scope.has(f.town)
    ]
    closed_facts = [f for f in inp.of("HazardClosed") if f.at <= until]
    closed = {f.subject for f in closed_facts}
    name = "hazard_rectification_rate"
    numerator = sum(1 for f in reported if f.subject in closed)
    return Kpi(
        name, numerator, len(reported), t.target(name), at, start, end, _newest(reported, closed_facts)
    )


def petition_on_time_rate(inp: Inputs, scope: Scope, at: date, start: date, end: date, t: Targets) -> Kpi:
    """Petitions closed in the period that met their deadlines (信访工作条例 2022: 15 / 60 (+30) days)."""
    until = end_of(end)
    closed = [f for f in inp.of("PetitionClosed") if day_start(start) <= f.at <= until and scope.has(f.town)]
    name = "petition_on_time_rate"
    on_time = sum(1 for f in closed if f.get("on_time"))
    return Kpi(name, on_time, len(closed), t.target(name), at, start, end, _newest(closed))


CALCULATIONS: dict[str, Callable[[Inputs, Scope, date, date, date, Targets], Kpi]] = {
    "discharge_permit_holding_rate": discharge_permit_holding_rate,
    "radiation_permit_holding_rate": radiation_permit_holding_rate,
    "radioactive_disposal_rate": radioactive_disposal_rate,
    "section_monitoring_coverage": section_monitoring_coverage,
    "section_target_share": section_target_share,
    "good_aqi_day_share": good_aqi_day_share,
    "problem_closure_rate": problem_closure_rate,
    "problem_on_time_rate": problem_on_time_rate,
    "hazard_rectification_rate": hazard_rectification_rate,
    "petition_on_time_rate": petition_on_time_rate,
}


def compute(name: str, inp: Inputs, scope: Scope, at: date, start: date, end: date, targets: Targets) -> Kpi:
    """One KPI; KeyError for an unknown name (the caller names the field)."""
    return CALCULATIONS[name](inp, scope, at, start, end, targets)


def compute_all(inp: Inputs, scope: Scope, at: date, start: date, end: date, targets: Targets) -> list[Kpi]:
    """Every KPI."""
    return [compute(name, inp, scope, at, start, end, targets) for name in NAMES]
