"""Taking in a consumed event: store its fact once, refresh the enterprise's profile when it is a
registry event, and re-rate the enterprise it concerns. Runs inside the consumer's transaction."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from services.evaluation.adapters import air_days as air_days_repo
from services.evaluation.adapters import repository as repo
from services.evaluation.domain.air_days import AirDay
from services.evaluation.domain.facts import Fact
from services.evaluation.domain.profiles import PROFILE_TYPES, profile
from services.evaluation.service_layer.rating import rerate
from services.evaluation.service_layer.unit_of_work import Deps, transaction


def record(deps: Deps, conn: Connection, fact: Fact) -> bool:
    """Apply one fact; False when its event id was seen before (nothing changes)."""
    with transaction(deps, conn) as tx:
        if not repo.add_fact(tx.conn, fact_in=fact):
            return False
        if fact.type in PROFILE_TYPES and fact.uscc:
            found = profile(repo.facts_of(tx.conn, uscc=fact.uscc))
            if found is not None:
                repo.save_profile(tx.conn, profile_in=found)
        if fact.uscc:
            rerate(tx, deps, uscc=fact.uscc)
    return True


def record_air_day(deps: Deps, conn: Connection, air_day: AirDay) -> None:
    """Keep a station's daily AQI unless a figure that supersedes it is already kept."""
    with transaction(deps, conn) as tx:
        air_days_repo.save(tx.conn, air_day_in=air_day)
