"""The expiry scheduler racing a renewal on PostgreSQL: the renewal wins, nothing is expired.

The renewal (the grant of a late application: one made in time would keep the permit out of the
scheduler's reach anyway) holds the permit's row lock (its transaction is paused right after its UPDATE) while
the scheduler, having read the permit as due, waits on that lock with its own UPDATE. The renewal
then commits a term ending years ahead. Before the fix the scheduler's UPDATE, re-checked by
PostgreSQL only on the status (still "renewed", or "issued"/"renewed" for radiation permits),
went through: status expired with a validity in the future, and PermitExpired after PermitRenewed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from services.permits.adapters import permit_repository, radiation_repository
from services.permits.bootstrap import make_deps
from services.permits.domain.enterprise import OutletKind, RiskFlag
from services.permits.domain.permit import OutletLimits, PermitStatus, PollutantLimit
from services.permits.domain.radiation import RadiationPermitStatus
from services.permits.domain.values import Actor
from services.permits.migrations import HISTORY
from services.permits.service_layer import enterprises, permits, radiation, renewals
from services.permits.service_layer.expiry import ExpiryResult, expire_due
from services.permits.service_layer.unit_of_work import Deps
from shared.clock import ManualClock
from shared.db import make_engine
from shared.migrations import upgrade
from shared.schema import outbox
from tests.support import infra
from tests.unit.permits.factories import CIXI, fields, random_uscc

pytestmark = pytest.mark.integration
OFFICER = Actor("bureau", "officer-7", "续期材料齐全")


@pytest.fixture
def deps(pg_url: str) -> Iterator[Deps]:
    engine = make_engine(pg_url)
    upgrade(engine, HISTORY)
    yield make_deps(engine, clock=ManualClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)))
    engine.dispose()


def _midnight_after(day: date) -> datetime:
    """00:00:01 in Cixi (UTC+8) on the day after `day`."""
    return datetime(day.year, day.month, day.day, 16, 0, 1, tzinfo=UTC)


def _race(
    deps: Deps,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    function: str,
    renew: Callable[[], object],
    expire_at: datetime,
) -> ExpiryResult:
    """Run `renew` paused after its UPDATE, run the scheduler until it waits on the row lock, then
    let the renewal commit; returns what the scheduler expired."""
    real = getattr(module, function)
    wrote, release = threading.Event(), threading.Event()

    def paused_after_renewal(*args: Any, **kwargs: Any) -> bool:
        result: bool = real(*args, **kwargs)
        if kwargs.get("status") in (PermitStatus.RENEWED, RadiationPermitStatus.RENEWED):
            wrote.set()
            assert release.wait(30), "the test never released the renewal"
        return result

    monkeypatch.setattr(module, function, paused_after_renewal)
    errors: list[BaseException] = []
    results: list[ExpiryResult] = []

    def run(target: Callable[[], object]) -> Callable[[], None]:
        def body() -> None:
            try:
                outcome = target()
                if isinstance(outcome, ExpiryResult):
                    results.append(outcome)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        return body

    renewing = threading.Thread(target=run(renew))
    renewing.start()
    assert wrote.wait(30), "the renewal never reached its UPDATE"
    expiring = threading.Thread(target=run(lambda: expire_due(deps, expire_at)))
    expiring.start()
    watcher = sa.create_engine(pg_url)
    try:
        infra.wait_for(
            lambda: (
                watcher.connect()
                .execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                )
                .scalar_one()
            ),
            timeout=30,
            what="the scheduler's UPDATE to wait on the renewal's row lock",
        )
    finally:
        release.set()
        renewing.join(30)
        expiring.join(30)
        watcher.dispose()
    assert errors == []
    [result] = results
    return result


def _event_types(deps: Deps) -> list[str]:
    with deps.engine.connect() as conn:
        return list(conn.execute(sa.select(outbox.c.event_type).order_by(outbox.c.id)).scalars())


def test_a_renewal_committing_while_the_scheduler_waits_is_not_expired(
    deps: Deps, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields())
    outlet = enterprises.add_outlet(
        deps,
        uscc=code,
        kind=OutletKind.WASTEWATER,
        name="总排口",
        location=CIXI,
        receiving_river="四灶浦",
        pollutants=["COD"],
    )
    limits = [OutletLimits(outlet.outlet_id, None, (PollutantLimit("COD", 50, "mg/L", 1),))]
    number = permits.apply(
        deps, uscc=code, outlets_in=limits, applied_on=date(2021, 1, 1), actor=OFFICER
    ).permit_number
    permits.start_review(deps, permit_number=number, actor=OFFICER)
    permits.issue(deps, permit_number=number, valid_from=date(2021, 3, 3), outlets_in=[], actor=OFFICER)
    renewals.apply(deps, permit_number=number, actor=OFFICER)
    assert renewals.grant(deps, permit_number=number, actor=OFFICER).valid_until == date(2031, 3, 2)
    # 23:00 on the last valid day of the second term: a late application (it does not keep the
    # permit in force, so the scheduler will expire it) is granted, and the grant is still open
    # when midnight passes and the scheduler runs.
    deps.clock.set(datetime(2031, 3, 2, 15, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    assert renewals.apply(deps, permit_number=number, actor=OFFICER).pending_renewal is not None

    result = _race(
        deps,
        pg_url,
        monkeypatch,
        permit_repository,
        "update_status",
        lambda: renewals.grant(deps, permit_number=number, actor=OFFICER),
        _midnight_after(date(2031, 3, 2)),
    )

    assert result.permits == []
    final = permits.get(deps, permit_number=number)
    assert (final.status, final.valid_until, final.renewals) == (PermitStatus.RENEWED, date(2036, 3, 2), 2)
    assert _event_types(deps)[-4:] == [
        "PermitRenewalApplied",
        "PermitRenewed",
        "PermitRenewalApplied",
        "PermitRenewed",
    ]
    assert "PermitExpired" not in _event_types(deps)
    # The next pass agrees: nothing is due.
    assert expire_due(deps, _midnight_after(date(2031, 3, 2)) + timedelta(minutes=1)).permits == []


def test_a_radiation_renewal_committing_while_the_scheduler_waits_is_not_expired(
    deps: Deps, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields(flags=frozenset({RiskFlag.RADIATION_SOURCES})))
    permit = radiation.issue(
        deps, uscc=code, permit_number="", scope="使用III类射线装置", valid_from=None, actor=OFFICER
    )
    assert permit.valid_until == date(2031, 3, 1)
    deps.clock.set(datetime(2031, 3, 1, 15, 0, tzinfo=UTC))  # type: ignore[attr-defined]

    result = _race(
        deps,
        pg_url,
        monkeypatch,
        radiation_repository,
        "update",
        lambda: radiation.renew(deps, permit_number=permit.permit_number, actor=OFFICER),
        _midnight_after(date(2031, 3, 1)),
    )

    assert result.radiation_permits == []
    final = radiation.get(deps, permit_number=permit.permit_number)
    assert (final.status, final.valid_until) == (RadiationPermitStatus.RENEWED, date(2036, 3, 1))
    assert "RadiationPermitExpired" not in _event_types(deps)
    assert _event_types(deps)[-1] == "RadiationPermitRenewed"
