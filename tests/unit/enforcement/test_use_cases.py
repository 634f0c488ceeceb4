"""The use cases on SQLite: routing, idempotent opening, appending, the loop with its events,
escalation once per lapse, tamper detection of stored evidence and rows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.enforcement.adapters.tables import evidence as evidence_table
from services.enforcement.domain.case import Outcome, Stage
from services.enforcement.domain.decisions import PenaltyKind
from services.enforcement.domain.problem import Source
from services.enforcement.domain.values import Assignee, GeoPoint
from services.enforcement.service_layer import cases, evidence, problems
from services.enforcement.service_layer.escalation import escalate_overdue
from services.enforcement.service_layer.unit_of_work import Deps
from shared.clock import ManualClock
from shared.errors import FailedPrecondition, InvalidArgument
from tests.unit.enforcement.factories import NOW, OFFICER, USCC, decision_in, investigation
from tests.unit.enforcement.support import alarm, city_with_two_towns, events, manual, readings


def _alarm(deps: Deps, ref: str, **kw: object) -> str:
    with deps.engine.begin() as conn:
        return problems.alarm(deps, conn, alarm(ref, **kw), evidence=[readings(ref)])  # type: ignore[arg-type]


def test_a_problem_is_routed_by_its_location_and_a_border_point_to_one_grid(deps: Deps) -> None:
    city_with_two_towns(deps)
    west = problems.open_problem(deps, manual("m1", where=GeoPoint(30.15, 121.25)))
    assert (west.fields.grid_id, west.fields.town) == ("west", "浒山")
    border = problems.open_problem(deps, manual("m2", uscc="", where=GeoPoint(30.15, 121.3)))
    assert border.fields.grid_id == "east"
    outside = problems.open_problem(deps, manual("m3", uscc="", where=GeoPoint(30.35, 121.5)))
    assert outside.fields.grid_id == "city"


def test_a_repeated_reference_opens_no_second_problem_and_a_new_alarm_is_appended(deps: Deps) -> None:
    city_with_two_towns(deps)
    assert _alarm(deps, "ev-1") == "opened"
    assert _alarm(deps, "ev-1") == "duplicate"
    assert _alarm(deps, "ev-2") == "appended"
    page, _ = problems.get_all(
        deps,
        source=None,
        uscc="",
        station_id="W002",
        town="",
        grid_id="",
        stages=[],
        opened_from=None,
        opened_to=None,
        page_size=0,
        page_token="",
    )
    [problem] = page.items
    assert [e.what for e in problem.history] == ["opened", "alarm appended"]
    case = cases.get(deps, case_id=problem.case_id)
    assert case.evidence_count == 2 and case.grid_id == "west"
    assert events(deps).count("ProblemOpened") == 1


def test_a_cleared_alarm_is_recorded_without_closing(deps: Deps) -> None:
    _alarm(deps, "ev-1")
    with deps.engine.begin() as conn:
        assert problems.cleared(
            deps,
            conn,
            source=Source.EXCEEDANCE,
            source_ref="ev-c",
            subject="station:W002/NH3N",
            note="back within the limit",
            at=NOW,
        )
    page, stages = problems.get_all(
        deps,
        source=None,
        uscc="",
        station_id="W002",
        town="",
        grid_id="",
        stages=[],
        opened_from=None,
        opened_to=None,
        page_size=0,
        page_token="",
    )
    assert page.items[0].history[-1].what == "alarm cleared"
    assert stages[page.items[0].case_id] is Stage.DISCOVERED


def test_the_whole_loop_with_a_permit_suspension_and_its_events(deps: Deps, clock: ManualClock) -> None:
    _alarm(deps, "ev-1")
    [case_id] = [
        c.case_id
        for c in cases.get_all(
            deps,
            stages=[],
            uscc="",
            town="",
            grid_id="",
            owner_department="",
            overdue_only=False,
            source=None,
            page_size=0,
            page_token="",
        ).items
    ]
    with pytest.raises(FailedPrecondition, match="is DISCOVERED: cannot decide"):
        cases.decide_case(deps, case_id=case_id, decision_in=decision_in())
    case = cases.trace(
        deps, case_id=case_id, responsible_uscc=USCC, candidates=[], note="上游印染厂", actor=OFFICER
    )
    with pytest.raises(FailedPrecondition, match="evidence was added since"):
        cases.lock_evidence(deps, case_id=case_id, expected_head="0" * 64, actor=OFFICER)
    case = cases.lock_evidence(deps, case_id=case_id, expected_head=case.evidence_head, actor=OFFICER)
    assert case.locked_evidence_sha256 == case.evidence_head
    case = cases.investigate(deps, case_id=case_id, investigation=investigation())
    kinds = (PenaltyKind.FINE, PenaltyKind.SUSPEND_PERMIT)
    case = cases.decide_case(
        deps,
        case_id=case_id,
        decision_in=decision_in(penalties=kinds, permit_number="P-1", suspension_days=30),
    )
    assert case.decision is not None and case.due_at == case.decision.rectify_by
    with pytest.raises(FailedPrecondition, match="is DECIDED"):
        cases.close(deps, case_id=case_id, outcome=Outcome.NO_VIOLATION, note="", actor=OFFICER)
    case = cases.rectify(
        deps, case_id=case_id, measures="更换曝气设备", evidence_ids=[], completed_at=None, actor=OFFICER
    )
    case = cases.close(deps, case_id=case_id, outcome=Outcome.OPEN, note="销号", actor=OFFICER)
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.PENALIZED)
    assert [t.to_stage for t in case.history] == list(Stage)
    published = events(deps)
    assert published.count("CaseAdvanced") == 6
    for kind in ("PenaltyDecided", "SuspendPermitOrder", "ProblemClosed"):
        assert published.count(kind) == 1, kind


def test_escalation_once_per_lapse_grid_town_city(deps: Deps, clock: ManualClock) -> None:
    problems.open_problem(deps, manual("m1"))
    clock.advance(timedelta(hours=25))
    assert escalate_overdue(deps) == 1
    assert escalate_overdue(deps) == 0  # the same lapse
    [case] = cases.get_all(
        deps,
        stages=[],
        uscc="",
        town="",
        grid_id="",
        owner_department="",
        overdue_only=False,
        source=None,
        page_size=0,
        page_token="",
    ).items
    assert case.escalation_level == 1 and case.owner.department.startswith("town")
    clock.advance(timedelta(hours=25))
    assert escalate_overdue(deps) == 1
    clock.advance(timedelta(hours=25))
    assert escalate_overdue(deps) == 0  # at the city, the worker's ceiling
    assert events(deps).count("CaseEscalated") == 2


def test_manual_escalation_and_assignment(deps: Deps) -> None:
    p = problems.open_problem(deps, manual("m1"))
    with pytest.raises(InvalidArgument, match="due_at"):
        cases.assign(
            deps, case_id=p.case_id, owner=Assignee("bureau"), due_at=NOW - timedelta(hours=1), actor=OFFICER
        )
    case = cases.assign(
        deps, case_id=p.case_id, owner=Assignee("bureau", "li"), due_at=NOW + timedelta(days=2), actor=OFFICER
    )
    assert case.owner.user == "li" and case.due_at == NOW + timedelta(days=2)
    case = cases.escalate(deps, case_id=p.case_id, reason="severity", owner=None, due_at=None, actor=OFFICER)
    assert case.escalation_level == 1


def test_verification_names_the_changed_file_and_the_changed_row(deps: Deps, tmp_path: Path) -> None:
    p = problems.open_problem(deps, manual("m1"))
    for n in range(3):
        evidence.add(deps, case_id=p.case_id, evidence_in=readings(f"r{n}", f"reading {n}".encode()))
    assert evidence.verify(deps, case_id=p.case_id).intact
    second = cases.get(deps, case_id=p.case_id)
    with deps.engine.connect() as conn:
        sha = conn.execute(
            sa.select(evidence_table.c.content_sha256).where(evidence_table.c.sequence == 2)
        ).scalar_one()
    (tmp_path / "evidence" / sha[:2] / sha).write_bytes(b"reading X")
    verdict = evidence.verify(deps, case_id=p.case_id)
    assert (verdict.intact, verdict.first_broken_sequence) == (False, 2)
    (tmp_path / "evidence" / sha[:2] / sha).write_bytes(b"reading 1")
    with deps.engine.begin() as conn:
        conn.execute(
            evidence_table.update().where(evidence_table.c.sequence == 3).values(source_ref="forged")
        )
    verdict = evidence.verify(deps, case_id=p.case_id)
    assert (verdict.intact, verdict.first_broken_sequence) == (False, 3)
    assert second.evidence_count == 3
