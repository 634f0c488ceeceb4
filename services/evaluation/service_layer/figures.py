"""KPIs, scorecards and hotspots, read from the facts."""

from __future__ import annotations

from datetime import date

from services.evaluation.adapters import air_days as air_days_repo
from services.evaluation.adapters import repository as repo
from services.evaluation.domain import events as ev
from services.evaluation.domain import hotspots as spots
from services.evaluation.domain import kpis, scorecards
from services.evaluation.domain.periods import Period, last_finished_month, period
from services.evaluation.service_layer.unit_of_work import Deps, transaction
from shared.errors import InvalidArgument

SUBJECT = "subject"


def _inputs(deps: Deps) -> kpis.Inputs:
    with deps.engine.connect() as conn:
        return kpis.Inputs(
            repo.facts_by_type(conn, types=kpis.KPI_TYPES),
            repo.get_profiles(conn),
            air_days_repo.get_all(conn),
        )


def _scope(town: str) -> kpis.Scope:
    if len(town) > 100:
        raise InvalidArgument("town", "at most 100 characters")
    return kpis.Scope(town=town.strip())


def _when(deps: Deps, at: date | None, start: date | None, end: date | None) -> tuple[date, Period]:
    today = deps.today()
    day = at or end or today
    return day, period(start, end or day, today)


def get_kpi(
    deps: Deps, *, name: str, at: date | None, start: date | None, end: date | None, town: str
) -> kpis.Kpi:
    """One KPI at a date (stock) and over a period (flow)."""
    if name not in kpis.CALCULATIONS:
        raise InvalidArgument("name", f"unknown KPI {name!r}; one of {', '.join(kpis.NAMES)}")
    scope = _scope(town)
    day, p = _when(deps, at, start, end)
    return kpis.compute(name, _inputs(deps), scope, day, p.start, p.end, deps.targets)


def list_kpis(
    deps: Deps, *, at: date | None, start: date | None, end: date | None, town: str
) -> list[kpis.Kpi]:
    """Every KPI."""
    scope = _scope(town)
    day, p = _when(deps, at, start, end)
    return kpis.compute_all(_inputs(deps), scope, day, p.start, p.end, deps.targets)


def _towns(inp: kpis.Inputs) -> list[str]:
    towns = {p.town for p in inp.profiles} | {f.town for f in inp.facts if f.type == "StationRegistered"}
    return sorted(t for t in towns if t)


def _departments(inp: kpis.Inputs) -> list[str]:
    return sorted(
        {str(f.get("owner_department")) for f in inp.of("CaseAdvanced") if f.get("owner_department")}
    )


def _cards(deps: Deps, inp: kpis.Inputs, kind: str, p: Period) -> list[scorecards.Card]:
    subjects = _towns(inp) if kind == "town" else _departments(inp)
    cards = []
    for name in subjects:
        scope = kpis.Scope(town=name) if kind == "town" else kpis.Scope(department=name)
        figures = kpis.compute_all(inp, scope, p.end, p.start, p.end, deps.targets)
        cards.append(scorecards.card(f"{kind}:{name}", figures, deps.targets))
    return scorecards.rank(cards)


def list_scorecards(
    deps: Deps, *, start: date | None, end: date | None, kind: str = "town"
) -> list[scorecards.Card]:
    """Every town's (or department's) card for a period, best first."""
    p = period(start, end, deps.today())
    return _cards(deps, _inputs(deps), kind, p)


def get_scorecard(deps: Deps, *, subject: str, start: date | None, end: date | None) -> scorecards.Card:
    """One town's or department's card, ranked among its kind."""
    kind, _, name = subject.partition(":")
    if kind not in ("town", "department") or not name.strip():
        raise InvalidArgument(SUBJECT, 'must be "town:<name>" or "department:<name>"')
    p = period(start, end, deps.today())
    for c in _cards(deps, _inputs(deps), kind, p):
        if c.subject == f"{kind}:{name.strip()}":
            return c
    raise InvalidArgument(SUBJECT, f"no {kind} named {name.strip()!r} appears in any event")


def hotspots(
    deps: Deps, *, dimension: str, start: date | None, end: date | None, limit: int
) -> tuple[str, Period, list[spots.Hotspot], list[spots.Offender]]:
    """Where problems and petitions concentrate, by one dimension."""
    dimension = dimension.strip() or "town"
    if dimension not in spots.DIMENSIONS:
        raise InvalidArgument("dimension", f"one of {', '.join(spots.DIMENSIONS)}")
    if limit < 0:
        raise InvalidArgument("limit", "must not be negative")
    p = period(start, end, deps.today())
    with deps.engine.connect() as conn:
        facts = repo.facts_by_type(conn, types=spots.TYPES)
        profiles = repo.get_profiles(conn)
    ranking, offenders = spots.hotspots(facts, profiles, dimension, p, limit or 20)
    return dimension, p, ranking, offenders


def publish_finished_scorecards(deps: Deps) -> int:
    """Announce every town's and department's scorecard of the last finished month (ScorecardPublished),
    each once; returns how many went out now. Run periodically: a month is final once it has ended."""
    p = last_finished_month(deps.today())
    inp = _inputs(deps)
    cards = [*_cards(deps, inp, "town", p), *_cards(deps, inp, "department", p)]
    sent = 0
    with transaction(deps) as tx:
        for c in cards:
            if repo.mark_scorecard_published(
                tx.conn, subject=c.subject, start=p.start, end=p.end, now=tx.now
            ):
                tx.publish(c.subject, ev.ScorecardPublished(c, p, deps.targets.eco_share))
                sent += 1
    return sent
