"""SuggestSources: candidate enterprises upstream of a river-section problem, ranked (domain/tracing.py)."""

from __future__ import annotations

from datetime import timedelta

from services.enforcement.adapters import case_repository as case_repo
from services.enforcement.adapters import outlet_repository as outlet_repo
from services.enforcement.adapters import problem_repository as problem_repo
from services.enforcement.domain import tracing
from services.enforcement.domain.case import Candidate
from services.enforcement.domain.tracing import Movement
from services.enforcement.service_layer.unit_of_work import Deps
from shared.errors import FailedPrecondition, InvalidArgument, NotFound

DEFAULT_LIMIT, MAX_LIMIT = 10, 50


def suggest(deps: Deps, *, case_id: str, radius_m: float, limit: int) -> list[Candidate]:
    """Outlets upstream within min(radius, the configured maximum), likeliest first."""
    if radius_m < 0 or radius_m != radius_m:
        raise InvalidArgument("radius_m", f"must be a distance of 0 (the default) or more, got {radius_m}")
    if limit < 0:
        raise InvalidArgument("limit", f"must not be negative, got {limit}")
    with deps.engine.connect() as conn:
        case = case_repo.get(conn, case_id=case_id)
        if case is None:
            raise NotFound("case", case_id)
        on_river = problem_repo.river_of(conn, case_id)
        if on_river is None:
            raise FailedPrecondition(
                f"case {case.case_number} is not about a river section: nothing to trace upstream"
            )
        river_name, _station, parameter, section, occurred_at = on_river
        outlets = outlet_repo.on_river(conn, river_name)
    river = deps.rivers.get(river_name)
    if river is None or section is None:
        raise FailedPrecondition(
            f"no centre line of river {river_name!r} in the river data: cannot measure upstream"
        )
    reach = min(radius_m or deps.trace_max_m, deps.trace_max_m)
    found = tracing.upstream(section, river, outlets, parameter, reach)
    window = timedelta(hours=deps.trace_window_hours)
    movements: dict[str, Movement | None] = {}
    # Read outside any transaction: monitoring is another service and may be slow.
    for outlet, _ in found:
        if outlet.station_id:
            movements[outlet.outlet_id] = deps.movements(
                outlet.station_id, parameter, occurred_at - 2 * window, occurred_at - window, occurred_at
            )
    ranked = tracing.rank(
        found, movements, parameter=parameter, river=river_name, window_hours=deps.trace_window_hours
    )
    return ranked[: min(limit or DEFAULT_LIMIT, MAX_LIMIT)]
