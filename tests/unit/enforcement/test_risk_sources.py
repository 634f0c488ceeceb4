"""Risk's events open problems through the consumer's table (translated at the edge, idempotent,
appended to the enterprise's open problem); a decided case's lapsed rectification date is announced
once; the ledger filters by severity and overdue, a page at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, risk_pb2
from services.enforcement.adapters.tables import rectification_lapses
from services.enforcement.domain.case import Stage
from services.enforcement.domain.problem import Problem, Severity, Source
from services.enforcement.entrypoints import consumers
from services.enforcement.entrypoints import requests as req
from services.enforcement.service_layer import cases, evidence, inspections, problems
from services.enforcement.service_layer.rectification import announce_overdue
from services.enforcement.service_layer.unit_of_work import Deps
from shared import events as shared_events
from shared.clock import ManualClock
from shared.errors import InvalidArgument
from tests.unit.enforcement.factories import NOW, OFFICER, USCC, decision_in, investigation
from tests.unit.enforcement.support import EAST_POINT, city_with_two_towns, events, manual
from tests.unit.permits.factories import random_uscc

OTHER = random_uscc()  # another enterprise


def _ts(delta: timedelta = timedelta()) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(NOW + delta)
    return ts


def _hazard(*, uscc: str = USCC, grade: int = risk_pb2.HAZARD_GRADE_MAJOR) -> risk_pb2.HazardOverdue:
    return risk_pb2.HazardOverdue(
        hazard_id="hz-1",
        uscc=uscc,
        title="储罐围堰破损",
        grade=grade,  # type: ignore[arg-type]
        rectify_by=_ts(timedelta(hours=-2)),
        location=common_pb2.GeoPoint(lat=EAST_POINT.lat, lon=EAST_POINT.lon),
        town="白沙路",
    )


def _manifest() -> risk_pb2.WasteManifest:
    return risk_pb2.WasteManifest(
        manifest_id="mf-1",
        producer_uscc=USCC,
        waste_code="336-064-17",
        waste_name="表面处理废物",
        receiver="宁波危废处置中心",
        status=risk_pb2.MANIFEST_STATUS_TRANSPORTED,
        steps=[
            risk_pb2.ManifestStepRecord(
                step=risk_pb2.MANIFEST_STATUS_GENERATED, quantity_kg=1000, at=_ts(timedelta(days=-3))
            ),
            risk_pb2.ManifestStepRecord(
                step=risk_pb2.MANIFEST_STATUS_TRANSPORTED, quantity_kg=700, at=_ts(timedelta(days=-1))
            ),
        ],
        deadline=_ts(timedelta(hours=-1)),
    )


def _deliver(deps: Deps, payload: object, envelope: shared_events.EventEnvelope | None = None) -> None:
    envelope = envelope or shared_events.make_envelope(source="risk", subject_id=USCC, payload=payload)  # type: ignore[arg-type]
    handler = consumers.handlers(deps)[envelope.type]
    with deps.engine.begin() as conn:
        handler(conn, envelope, payload)  # type: ignore[arg-type]


def _ledger(deps: Deps, **filters: object) -> list[Problem]:
    values: dict[str, object] = dict(
        source=None,
        uscc="",
        station_id="",
        town="",
        grid_id="",
        stages=[],
        opened_from=None,
        opened_to=None,
        page_size=0,
        page_token="",
    )
    values.update(filters)
    page, _ = problems.get_all(deps, **values)  # type: ignore[arg-type]
    return list(page.items)


def test_an_overdue_hazard_opens_a_routed_problem_once_and_a_manifest_joins_it(deps: Deps) -> None:
    city_with_two_towns(deps)
    hazard = _hazard()
    first = shared_events.make_envelope(source="risk", subject_id=USCC, payload=hazard)
    _deliver(deps, hazard, first)
    _deliver(deps, hazard, first)  # redelivered: nothing new
    [problem] = _ledger(deps, uscc=USCC)
    f = problem.fields
    assert (f.source, f.grid_id, f.town, f.severity) == (
        Source.HAZARD_OVERDUE,
        "east",
        "白沙路",
        Severity.HIGH,
    )
    assert f.source_ref == first.event_id and "hz-1" in f.description
    [item] = evidence.get_all(deps, case_id=problem.case_id, page_size=0, page_token="").items
    assert item.source_ref == first.event_id and item.media_type == "application/json"

    mismatch = risk_pb2.ManifestMismatch(
        manifest=_manifest(), step=risk_pb2.MANIFEST_STATUS_TRANSPORTED, expected_kg=1000, actual_kg=700
    )
    _deliver(deps, mismatch)
    _deliver(deps, risk_pb2.ManifestStuck(manifest=_manifest()))
    [same] = _ledger(deps, uscc=USCC)
    assert [h.what for h in same.history] == ["opened", "alarm appended", "alarm appended"]
    assert "数量不符" in same.history[1].note and "逾期未处置" in same.history[2].note
    assert events(deps).count("ProblemOpened") == 1


def test_a_manifest_opens_a_waste_problem_about_its_producer(deps: Deps) -> None:
    _deliver(deps, risk_pb2.ManifestStuck(manifest=_manifest()))
    [problem] = _ledger(deps, source=Source.WASTE_MANIFEST)
    f = problem.fields
    assert (f.uscc, f.category, f.severity, f.occurred_at) == (
        USCC,
        "solid_waste",
        Severity.MEDIUM,
        NOW - timedelta(hours=1),  # the manifest's deadline
    )


def test_a_manifest_problem_is_placed_at_its_producers_registered_site(deps: Deps) -> None:
    city_with_two_towns(deps)
    with deps.engine.begin() as conn:
        inspections.enterprise_registered(
            conn,
            uscc=USCC,
            name="绿水化工",
            town="白沙路",
            grid_id="",
            permit_class="key",
            risk_flags=[],
            location=EAST_POINT,
        )
    _deliver(deps, risk_pb2.ManifestStuck(manifest=_manifest()))
    [problem] = _ledger(deps, source=Source.WASTE_MANIFEST)
    assert (problem.fields.grid_id, problem.fields.town, problem.fields.location) == (
        "east",
        "白沙路",
        EAST_POINT,
    )


def test_a_manifest_problem_of_an_unregistered_producer_stays_outside_every_grid(deps: Deps) -> None:
    city_with_two_towns(deps)
    _deliver(deps, risk_pb2.ManifestStuck(manifest=_manifest()))
    [problem] = _ledger(deps, source=Source.WASTE_MANIFEST)
    assert (problem.fields.grid_id, problem.fields.location) == ("", None)


def _decided_case(deps: Deps) -> str:
    _deliver(deps, _hazard())  # a problem with evidence to lock
    [problem] = _ledger(deps)
    case = cases.trace(
        deps, case_id=problem.case_id, responsible_uscc=USCC, candidates=[], note="", actor=OFFICER
    )
    cases.lock_evidence(deps, case_id=case.case_id, expected_head=case.evidence_head, actor=OFFICER)
    cases.investigate(deps, case_id=case.case_id, investigation=investigation())
    cases.decide_case(
        deps, case_id=case.case_id, decision_in=decision_in(rectify_by=NOW + timedelta(days=10))
    )
    return case.case_id


def test_a_lapsed_rectification_is_announced_once_per_lapse(deps: Deps, clock: ManualClock) -> None:
    case_id = _decided_case(deps)
    assert announce_overdue(deps) == 0  # not due yet
    clock.advance(timedelta(days=10, hours=1))
    assert announce_overdue(deps) == 1
    assert announce_overdue(deps) == 0  # the same lapse
    clock.advance(timedelta(days=3))
    assert announce_overdue(deps) == 0  # still the same lapse, however late
    assert events(deps).count("RectificationOverdue") == 1
    with deps.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(rectification_lapses)).scalar_one() == 1
    [problem] = _ledger(deps)
    assert (
        problem.history[-1].what == "rectification overdue" and "1 day(s) overdue" in problem.history[-1].note
    )
    # Once rectified there is nothing left to announce.
    cases.rectify(deps, case_id=case_id, measures="修复", evidence_ids=[], completed_at=None, actor=OFFICER)
    assert announce_overdue(deps) == 0


def test_a_rectification_in_time_is_never_announced(deps: Deps, clock: ManualClock) -> None:
    case_id = _decided_case(deps)
    clock.advance(timedelta(days=9))
    cases.rectify(deps, case_id=case_id, measures="修复", evidence_ids=[], completed_at=None, actor=OFFICER)
    clock.advance(timedelta(days=5))
    assert announce_overdue(deps) == 0
    assert cases.get(deps, case_id=case_id).stage is Stage.RECTIFIED
    assert "RectificationOverdue" not in events(deps)


def test_the_ledger_filters_by_severity_and_overdue_a_page_at_a_time(deps: Deps, clock: ManualClock) -> None:
    city_with_two_towns(deps)
    old = problems.open_problem(deps, manual("old", uscc=USCC))  # medium; DISCOVERED lasts 24 h
    clock.advance(timedelta(hours=30))
    _deliver(deps, _hazard(uscc=OTHER))  # high, about another enterprise
    fresh = problems.open_problem(
        deps, replace(manual("new", uscc=""), station_id="S-9", severity=Severity.LOW)
    )
    high = _ledger(deps, severities=[Severity.HIGH])
    assert [p.fields.source for p in high] == [Source.HAZARD_OVERDUE]
    assert {p.problem_id for p in _ledger(deps, severities=[Severity.LOW, Severity.MEDIUM])} == {
        old.problem_id,
        fresh.problem_id,
    }
    overdue = _ledger(deps, overdue_only=True)
    assert old.problem_id in {p.problem_id for p in overdue} and fresh.problem_id not in {
        p.problem_id for p in overdue
    }
    assert [p.fields.source for p in _ledger(deps, uscc=OTHER)] == [Source.HAZARD_OVERDUE]
    first, _ = problems.get_all(
        deps,
        source=None,
        uscc="",
        station_id="",
        town="",
        grid_id="",
        stages=[],
        opened_from=None,
        opened_to=None,
        page_size=2,
        page_token="",
    )
    assert len(first.items) == 2 and first.total == 3 and first.next_token
    second, _ = problems.get_all(
        deps,
        source=None,
        uscc="",
        station_id="",
        town="",
        grid_id="",
        stages=[],
        opened_from=None,
        opened_to=None,
        page_size=2,
        page_token=first.next_token,
    )
    assert [p.problem_id for p in second.items] == [old.problem_id] and not second.next_token


def test_a_bad_severity_filter_names_its_position() -> None:
    assert req.severities("severities", ["HIGH", " low "]) == [Severity.HIGH, Severity.LOW]
    with pytest.raises(InvalidArgument, match=r"severities\[1\].*'urgent' is not low, medium or high"):
        req.severities("severities", ["high", "urgent"])
