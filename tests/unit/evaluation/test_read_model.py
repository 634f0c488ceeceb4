"""The read model from events: credit follows the events, CreditChanged leaves through the outbox
in the payload the code service reads, redelivery changes nothing, and a rebuild from the same
events in another order (with repeats) gives exactly the same tables."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from eco.v1 import enforcement_pb2, evaluation_pb2, events_pb2, risk_pb2
from services.evaluation.adapters.tables import READ_MODEL
from services.evaluation.service_layer import credits
from services.evaluation.service_layer.rating import rerate_due
from services.evaluation.service_layer.unit_of_work import Deps
from shared import events as shared_events
from shared.clock import ManualClock
from shared.schema import dead_letters, outbox
from tests.unit.evaluation import envelopes as e
from tests.unit.evaluation.conftest import MakeDeps, consumer_of
from tests.unit.evaluation.factories import T0

A, B, C = "91330100716105852F", "914403001922038216", "91440300708461136T"


def story() -> list[events_pb2.EventEnvelope]:
    """Three enterprises, a section, problems, a penalty with repair, an emergency, hazards, petitions."""
    t = T0 - timedelta(days=60)
    return [
        e.registered(A, t, town="浒山"),
        e.registered(B, t, town="观海卫", radiation=True),
        e.registered(C, t, town="浒山", permit_class=3),
        e.permit_issued(A, "P-A", t, t.date(), (t + timedelta(days=1800)).date()),
        e.radiation_issued(B, "R-B", t, t.date(), (t + timedelta(days=1800)).date()),
        e.section("S1", t, town="浒山"),
        e.exceedance("X1", "S1", t + timedelta(days=5), town="浒山"),
        e.exceedance("X1", "S1", t + timedelta(days=5), cleared=t + timedelta(days=7)),
        e.exceedance("X2", "SRC-A", t + timedelta(days=8), uscc=A, section_station=False),
        e.exceedance(
            "X2",
            "SRC-A",
            t + timedelta(days=8),
            uscc=A,
            section_station=False,
            cleared=t + timedelta(days=8, hours=2),
        ),
        e.problem("p1", "c1", t + timedelta(days=10), uscc=A, town="浒山"),
        e.penalty(A, "c1", t + timedelta(days=20), enforcement_pb2.PENALTY_KIND_FINE),
        e.case_advanced(
            "c1", enforcement_pb2.CASE_STAGE_RECTIFIED, t + timedelta(days=30), uscc=A, verified=True
        ),
        e.emergency("em1", B, t + timedelta(days=25), grade=risk_pb2.EMERGENCY_GRADE_III),
        e.hazard("h1", C, t + timedelta(days=3), town="浒山"),
        e.hazard_overdue("h1", C, t + timedelta(days=33)),
        e.petition_closed(
            "pt1", t + timedelta(days=40), town="浒山", on_time=True, uscc=C, substantiated=True
        ),
        *AIR,
    ]


# Daily AQI of one station: a day published, then corrected (revision 2), and an invalid day.
_DAY = (T0 - timedelta(days=3)).date()
AIR = [
    e.daily_aqi(
        "AIR-1", _DAY, T0 - timedelta(days=2), town="浒山", aqi=80, level=2, concentrations={"PM25_24H": 59.0}
    ),
    e.daily_aqi(
        "AIR-1",
        _DAY,
        T0 - timedelta(days=1),
        town="浒山",
        aqi=104,
        level=3,
        revision=2,
        concentrations={"PM25_24H": 78.0, "CO_24H": 0.7},
    ),
    e.daily_aqi("AIR-1", _DAY + timedelta(days=1), T0 - timedelta(days=1), town="浒山", valid=False),
]


def feed(deps: Deps, items: list[events_pb2.EventEnvelope]) -> None:
    consumer = consumer_of(deps)
    for envelope in items:
        consumer.handle_raw(envelope.SerializeToString())


def tables(deps: Deps) -> dict[str, list[tuple[object, ...]]]:
    """Every read-model table, every row, in key order."""
    with deps.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
            for t in READ_MODEL
        }


def published(deps: Deps) -> list[evaluation_pb2.CreditChanged]:
    with deps.engine.connect() as conn:
        raws = conn.execute(sa.select(outbox.c.envelope).order_by(outbox.c.id)).scalars().all()
    found = []
    for raw in raws:
        payload = shared_events.unpack(shared_events.decode(raw))
        if isinstance(payload, evaluation_pb2.CreditChanged):
            found.append(payload)
    return found


def test_levels_follow_the_events_and_each_change_is_published(deps: Deps) -> None:
    feed(deps, story())
    a = credits.get(deps, uscc=A)
    assert (a.rating.level.value, a.rating.score) == ("yellow", 78.0)  # fine -20, one exceedance-day -2
    assert credits.get(deps, uscc=B).rating.level.value == "red"  # a larger emergency (grade III)
    c = credits.get(deps, uscc=C)
    assert c.rating.level.value == "blue" and c.rating.score == 89.0  # overdue hazard -8, founded petition -3
    changes = [(p.uscc, p.previous_level, p.level) for p in published(deps)]
    # Every enterprise's first rating is announced (codes stop showing grey), then each change.
    assert (A, 0, 1) in changes and (A, 1, 3) in changes
    assert (B, 0, 1) in changes and (B, 1, 4) in changes
    last_of_a = [p for p in published(deps) if p.uscc == A][-1]
    assert last_of_a.rules_version == "cixi-credit-1"
    assert {r.rule_id for r in last_of_a.reasons} >= {"penalty.fine", "exceedance.day"}


def test_the_code_service_reads_the_published_payload(deps: Deps, make: MakeDeps) -> None:
    # Decode our outbox rows with the code service's own consumer mapping.
    from services.codes.domain.status import CreditLevel
    from services.codes.entrypoints.translate import CREDIT_FROM_PROTO

    feed(deps, story())
    last = {p.uscc: p for p in published(deps)}
    assert CREDIT_FROM_PROTO[last[A].level] is CreditLevel.YELLOW
    assert CREDIT_FROM_PROTO[last[B].level] is CreditLevel.RED


def test_a_redelivered_event_changes_nothing(deps: Deps) -> None:
    items = story()
    feed(deps, items)
    before, sent = tables(deps), len(published(deps))
    feed(deps, items)
    assert tables(deps) == before
    assert len(published(deps)) == sent


def test_rebuild_in_another_order_with_repeats_equals_the_live_model(make: MakeDeps) -> None:
    items = story()
    live, rebuilt = make("live"), make("rebuilt")
    feed(live, items)
    shuffled = items + items[::3]
    random.Random(14).shuffle(shuffled)
    feed(rebuilt, shuffled)
    assert tables(rebuilt) == tables(live)
    assert len(tables(live)["facts"]) == len(items) - len(AIR)
    # One row per station and day, the correction standing whatever the order.
    assert [(r[1], r[4], r[7], r[10]) for r in tables(live)["daily_aqi"]] == [
        (_DAY, 104, 2, '{"CO_24H": 0.7, "PM25_24H": 78.0}'),  # the correction's concentrations
        (_DAY + timedelta(days=1), 0, 1, "{}"),
    ]


def test_repair_request_needs_a_verified_rectification_and_restores_credit(deps: Deps) -> None:
    feed(deps, story())
    repair = credits.request_repair(deps, uscc=A, case_id="c1", reason="整改完成，已安装在线监测")
    decided = credits.decide_repair(deps, request_id=repair.request_id, approve=True, by="bureau", note="")
    # The decision comes back as an event on evaluation's own topic, like every other fact.
    with deps.engine.connect() as conn:
        query = sa.select(outbox.c.envelope).where(outbox.c.event_type == "CreditRepairDecided")
        raws = conn.execute(query).scalars().all()
    feed(deps, [shared_events.decode(r) for r in raws])
    assert decided.status.value == "approved"
    rating = credits.get(deps, uscc=A).rating
    assert rating.level.value == "green"
    assert "recovery.credit_repair" in [r.rule_id for r in rating.reasons]
    assert [(h.level.value) for h in credits.history(deps, uscc=A)][-2:] == ["yellow", "green"]


def test_ratings_change_by_themselves_when_events_leave_the_window(deps: Deps) -> None:
    feed(deps, story())
    assert isinstance(deps.clock, ManualClock)
    deps.clock.advance(timedelta(days=400))
    assert rerate_due(deps) >= 3
    assert credits.get(deps, uscc=A).rating.level.value == "green"
    assert credits.get(deps, uscc=B).rating.level.value == "green"


def test_a_daily_aqi_without_a_date_is_skipped_not_stuck(deps: Deps) -> None:
    bad = e.daily_aqi("AIR-1", _DAY, T0, town="浒山", aqi=40, level=1)
    payload = shared_events.unpack(bad)
    payload.date = "2028-02-30"  # type: ignore[attr-defined]
    bad.payload.Pack(payload)
    feed(deps, [bad, *AIR])
    assert [r[1] for r in tables(deps)["daily_aqi"]] == [_DAY, _DAY + timedelta(days=1)]
    assert tables(deps)["daily_aqi"][0][4] == 104  # the bad one never replaced a figure
    with deps.engine.connect() as conn:  # skipped by the handler, not failed into a dead letter
        assert conn.execute(sa.select(sa.func.count()).select_from(dead_letters)).scalar() == 0


def test_a_concentration_no_aqi_could_come_from_is_not_kept(deps: Deps) -> None:
    odd = e.daily_aqi("AIR-1", _DAY, T0, town="浒山", aqi=69, level=2, concentrations={"PM25_24H": 50.0})
    payload = shared_events.unpack(odd)
    payload.pollutants.add(indicator="PM25_1H", concentration=80.0)  # type: ignore[attr-defined]
    payload.pollutants.add(indicator="NO2_24H", concentration=float("nan"))  # type: ignore[attr-defined]
    payload.pollutants.add(indicator="SO2_24H", concentration=-1.0)  # type: ignore[attr-defined]
    odd.payload.Pack(payload)
    feed(deps, [odd])
    assert [r[10] for r in tables(deps)["daily_aqi"]] == ['{"PM25_24H": 50.0}']
