"""Risk's use cases on SQLite: assessments and levels, hazards overdue under an injected clock, the
periodic sweep, depots and dispatch, emergencies and their notifications, manifests and sources."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.risk.bootstrap import sweep
from services.risk.domain import classification as cls
from services.risk.domain.hazards import HazardGrade, HazardSource
from services.risk.domain.manifests import ManifestStep
from services.risk.domain.radioactive import DisposalRoute, Kind
from services.risk.domain.records import AssessmentSource
from services.risk.domain.supplies import Amount
from services.risk.domain.values import Actor, GeoPoint, RiskLevel
from services.risk.service_layer import (
    assessments,
    depots,
    dispatching,
    emergencies,
    enterprise_risk,
    hazards,
    manifests,
    sources,
)
from services.risk.service_layer.unit_of_work import Deps
from shared.clock import ManualClock
from shared.errors import FailedPrecondition, InvalidArgument
from tests.unit.risk.support import published

USCC = "91330100716105852F"
OFFICER = Actor("bureau", "li")
SITE = GeoPoint(30.17, 121.27)


def _assess(deps: Deps, **kw: object) -> None:
    inputs = cls.AssessmentInput(
        holdings_t={"chlorine": 20},
        air_process=cls.ProcessAndControls(3),
        water_process=cls.ProcessAndControls(),
        air_receptors=cls.AirReceptors(5_000, 0),
        water_receptor=cls.WaterReceptor.NONE,
        **kw,  # type: ignore[arg-type]
    )
    assessments.record(
        deps,
        uscc=USCC,
        inputs=inputs,
        source=AssessmentSource.BUREAU,
        assessed_on=None,
        review_by=None,
        document_ref="doc-1",
        assessor=OFFICER,
    )


def _hazard(deps: Deps, clock: ManualClock, days: int = 10) -> str:
    return hazards.report(
        deps,
        uscc=USCC,
        title="Bund cracked",
        description="",
        grade=HazardGrade.MAJOR,
        source=HazardSource.INSPECTION,
        location=None,
        found_at=None,
        rectify_by=clock.now() + timedelta(days=days),
        required_measures="repair",
        actor=OFFICER,
    ).hazard_id


def test_assessment_sets_the_level_and_announces_it(deps: Deps) -> None:
    _assess(deps)
    risk = enterprise_risk.get(deps, uscc=USCC)
    assert risk.level is RiskLevel.SIGNIFICANT and risk.code.startswith("较大[较大-大气(Q2-M2-E3)")
    changed = published(deps, "RiskLevelChanged")
    assert len(changed) == 1 and changed[0][1].level == 2


def test_hazard_overdue_once_raises_the_level_and_closing_lowers_it(deps: Deps, clock: ManualClock) -> None:
    _assess(deps)
    hazard_id = _hazard(deps, clock)
    assert sweep(deps) == 0
    clock.advance(timedelta(days=10))
    assert sweep(deps) == 1
    assert sweep(deps) == 0  # exactly once per lapse
    clock.advance(timedelta(days=1))
    assert sweep(deps) == 0
    overdue = published(deps, "HazardOverdue")
    assert [p.hazard_id for _, p in overdue] == [hazard_id]
    risk = enterprise_risk.get(deps, uscc=USCC)
    assert risk.level is RiskLevel.MAJOR and risk.overdue_hazards == 1
    assert any(r.ref == hazard_id for r in risk.score.reasons)
    hazards.record_rectification(
        deps, hazard_id=hazard_id, measures="fixed", evidence_refs=["p.jpg"], completed_at=None, actor=OFFICER
    )
    hazards.verify(deps, hazard_id=hazard_id, accepted=True, note="", actor=OFFICER)
    assert enterprise_risk.get(deps, uscc=USCC).level is RiskLevel.SIGNIFICANT
    levels = [p.level for _, p in published(deps, "RiskLevelChanged")]
    assert levels == [2, 3, 2]


def _depot(deps: Deps, name: str, km_north: float, **stock: float) -> str:
    return depots.create(
        deps,
        name=name,
        location=GeoPoint(SITE.lat + km_north / 111.2, SITE.lon),
        town="Hushan",
        department="bureau",
        contact="",
        stock=[(Amount(k, v), 0.0) for k, v in stock.items()],
    ).depot_id


def test_declare_dispatches_nearest_first_and_returns_conserve_stock(deps: Deps) -> None:
    near = _depot(deps, "near", 2, activated_carbon=800, pump=1)
    far = _depot(deps, "far", 20, activated_carbon=5000, pump=10)
    emergency, order = emergencies.declare(
        deps,
        title="Spill",
        kind="water_pollution",
        grade=4,
        location=SITE,
        radius_m=500,
        uscc="",
        description="",
        needs=[Amount("activated_carbon", 2000), Amount("pump", 3)],
        max_distance_m=0,
        occurred_at=None,
        actor=OFFICER,
    )
    assert [(ln.depot_id, ln.item_code, ln.quantity) for ln in order.lines] == [
        (near, "activated_carbon", 800),
        (far, "activated_carbon", 1200),
        (near, "pump", 1),
        (far, "pump", 2),
    ]
    assert emergency.dispatch_ids == (order.dispatch_id,)
    assert depots.get(deps, depot_id=far).stock[0].quantity == 3800
    dispatching.confirm_delivery(deps, dispatch_id=order.dispatch_id, actor=OFFICER)
    with pytest.raises(InvalidArgument, match="left to return"):
        dispatching.return_supplies(
            deps, dispatch_id=order.dispatch_id, returns=[(near, Amount("pump", 2))], actor=OFFICER
        )
    dispatching.return_supplies(
        deps, dispatch_id=order.dispatch_id, returns=[(far, Amount("pump", 2))], actor=OFFICER
    )
    assert {s.item_code: s.quantity for s in depots.get(deps, depot_id=far).stock}["pump"] == 10
    with pytest.raises(FailedPrecondition, match="below zero"):
        depots.adjust_stock(
            deps,
            depot_id=near,
            item_code="pump",
            delta=-5,
            unit="",
            minimum=None,
            reason="lost",
            actor=OFFICER,
        )


def test_notifications_resume_after_a_position(deps: Deps) -> None:
    _depot(deps, "near", 2, sandbag=10)
    emergency, _ = emergencies.declare(
        deps,
        title="Leak",
        kind="hazardous_waste",
        grade=4,
        location=SITE,
        radius_m=0,
        uscc="",
        description="",
        needs=[Amount("sandbag", 5)],
        max_distance_m=0,
        occurred_at=None,
        actor=OFFICER,
    )
    emergencies.close(deps, emergency_id=emergency.emergency_id, summary="contained", actor=OFFICER)
    every = emergencies.notifications_after(deps, position=0)
    assert [n.kind.value for n in every] == ["declared", "dispatched", "closed"]
    assert [n.position for n in every] == [1, 2, 3]
    assert [n.position for n in emergencies.notifications_after(deps, position=2)] == [3]


def test_manifest_mismatch_and_stuck_are_announced_once(deps: Deps, clock: ManualClock) -> None:
    m = manifests.create(
        deps,
        producer_uscc=USCC,
        waste_code="336-064-17",
        waste_name="sludge",
        receiver="R",
        quantity_kg=1000,
        run_id="RUN-1",
        actor=OFFICER,
    )
    manifests.record_step(
        deps, manifest_id=m.manifest_id, step=ManifestStep.COLLECTED, quantity_kg=900, actor=OFFICER
    )
    manifests.record_step(
        deps, manifest_id=m.manifest_id, step=ManifestStep.TRANSPORTED, quantity_kg=900, actor=OFFICER
    )
    assert len(published(deps, "ManifestMismatch")) == 2  # once per step beyond the tolerance
    clock.advance(timedelta(days=31))
    assert sweep(deps) == 1 and sweep(deps) == 0
    assert len(published(deps, "ManifestStuck")) == 1
    assert manifests.reconcile_run(deps, run_id="RUN-1").mismatched == (USCC,)


def test_safe_disposal_rate_at_a_date(deps: Deps) -> None:
    s = sources.record(
        deps,
        uscc=USCC,
        kind=Kind.SOURCE,
        nuclide="Cs-137",
        category=4,
        serial="S1",
        disused_on=date(2026, 1, 5),
    )
    sources.record(deps, uscc=USCC, kind=Kind.WASTE, nuclide="I-131", category=0, serial="", disused_on=None)
    sources.dispose(
        deps,
        source_id=s.source_id,
        route=DisposalRoute.STORAGE_FACILITY,
        receiver="store",
        certificate_ref="C1",
        on=date(2026, 2, 1),
    )
    assert sources.rate(deps, on=date(2026, 1, 31)).rate == 0.0
    assert sources.rate(deps, on=date(2026, 2, 1)).rate == 1.0
    assert sources.rate(deps, on=None).rate == 0.5


def test_consumed_penalty_raises_the_level_once_and_exceedances_only_the_score(
    deps: Deps, clock: ManualClock
) -> None:
    from services.risk.domain.records import Enterprise
    from services.risk.domain.score import Event, Signal
    from services.risk.service_layer import signals

    with deps.engine.begin() as conn:
        signals.registry_changed(deps, conn, enterprise=Enterprise(USCC, "Plant", "Andong", SITE))
    _assess(deps)
    penalty = Event(Signal.PENALTY, clock.now(), "case-7", "慈环罚〔2026〕7号")
    exceedance = Event(Signal.EXCEEDANCE, clock.now(), "exc-1", "outlet 1")
    for _ in range(2):  # redelivered: the second changes nothing
        with deps.engine.begin() as conn:
            signals.penalty_decided(deps, conn, uscc=USCC, event=penalty)
            signals.exceedance_detected(deps, conn, uscc=USCC, event=exceedance)
    risk = enterprise_risk.get(deps, uscc=USCC)
    assert risk.level is RiskLevel.MAJOR and risk.town == "Andong"
    assert [p.cause for _, p in published(deps, "RiskLevelChanged")] == [1, 4]  # assessment, penalty
    assert risk.score.value == pytest.approx(45 + 15 + 5)
