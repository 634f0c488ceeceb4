"""Double-random use cases on SQLite: targets from events, roster, plan, draw stored once and verified,
results recorded (a violation opens a problem) and published."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from eco.v1 import enforcement_pb2
from services.enforcement.adapters.tables import draws
from services.enforcement.domain import draw as d
from services.enforcement.domain.inspection_tasks import Outcome, TaskStatus, result
from services.enforcement.domain.inspections import Conflict, Plan, PlanClass, inspector
from services.enforcement.domain.values import Actor, GeoPoint
from services.enforcement.service_layer import inspection_tasks as tasks
from services.enforcement.service_layer import inspections, problems
from services.enforcement.service_layer.unit_of_work import Deps
from shared import events as shared_events
from shared.errors import FailedPrecondition, InvalidArgument
from shared.schema import outbox
from shared.uscc import with_check_characters
from tests.unit.enforcement.factories import NOW
from tests.unit.enforcement.support import city_with_two_towns, events

VERIFIER = Path(d.__file__).resolve().parents[1] / "verifier" / "verify_draw.py"
OFFICER = Actor("bureau", "officer", "")
SEED = "ab" * 32


def _uscc(n: int) -> str:
    return with_check_characters(f"9133028200{n:06d}")


def _registry(deps: Deps, count: int = 24) -> list[str]:
    """Units in two grids; unit 0 is special (major risk), units 1-5 key (key permits), unit 6 red."""
    usccs = [_uscc(n) for n in range(count)]
    with deps.engine.begin() as conn:
        for n, uscc in enumerate(usccs):
            west = n % 2 == 0
            inspections.enterprise_registered(
                conn,
                uscc=uscc,
                name=f"企业{n}",
                town="浒山" if west else "白沙路",
                grid_id="west" if west else "east",
                permit_class="key" if 1 <= n <= 5 else "registration",
                risk_flags=[],
                location=GeoPoint(30.15, 121.25 if west else 121.35),
            )
        inspections.risk_level_changed(conn, uscc=usccs[0], level="major")
        inspections.credit_changed(conn, uscc=usccs[6], level="red")
    return usccs


def _roster(deps: Deps, conflict_with: str) -> None:
    for n in range(6):
        inspections.create_inspector(
            deps,
            inspector(
                inspector_id=f"I-{n}",
                name=f"执法{n}",
                badge_number=f"33028200{n}",
                department="bureau",
                town="",
                home_grid_id="west" if n < 3 else "east",
                qualifications=["water"],
                active=True,
                conflicts=[Conflict(conflict_with, "spouse works there", NOW)] if n == 3 else [],
            ),
        )


def _plan(deps: Deps) -> Plan:
    classes = (
        PlanClass("key", "重点", 0.4, False, {}),
        PlanClass("ordinary", "一般", 0.2, False, {}),
        PlanClass("special", "特殊", 0.0, True, {}),
    )
    return inspections.create_plan(
        deps,
        Plan("", "2026 Q1", date(2026, 1, 1), date(2026, 3, 31), classes, 2, "bureau", (), 0, NOW, OFFICER),
    )


def _payload(deps: Deps, event_type: str) -> object:
    """The last event of this type in the outbox, unpacked."""
    with deps.engine.connect() as conn:
        raw = (
            conn.execute(
                sa.select(outbox.c.envelope)
                .where(outbox.c.event_type == event_type)
                .order_by(outbox.c.id.desc())
            )
            .scalars()
            .first()
        )
    assert raw is not None, event_type
    return shared_events.unpack(shared_events.decode(raw))


@pytest.fixture
def drawn(deps: Deps) -> tuple[Deps, list[str], str]:
    city_with_two_towns(deps)
    usccs = _registry(deps)
    _roster(deps, conflict_with=usccs[0])
    record = inspections.make_draw(deps, plan_id=_plan(deps).plan_id, seed=SEED, actor=OFFICER)
    return deps, usccs, record.draw_id


def test_a_plan_raises_poor_credit_by_the_local_defaults_and_refuses_lone_officers(deps: Deps) -> None:
    plan = _plan(deps)
    ordinary = next(c for c in plan.classes if c.code == "ordinary")
    assert ordinary.credit_multipliers == {"yellow": 2.0, "red": 3.0}
    with pytest.raises(InvalidArgument, match=r"plan\.team_size"):
        inspections.create_plan(
            deps, Plan("", "x", NOW.date(), NOW.date(), plan.classes, 1, "", (), 0, NOW, OFFICER)
        )
    with pytest.raises(InvalidArgument, match=r"plan\.ends_on"):
        inspections.create_plan(
            deps,
            Plan(
                "", "x", NOW.date(), NOW.date() - timedelta(days=1), plan.classes, 2, "", (), 0, NOW, OFFICER
            ),
        )


def test_a_draw_keeps_every_rule_and_is_stored_with_its_tasks(drawn: tuple[Deps, list[str], str]) -> None:
    deps, usccs, draw_id = drawn
    record = inspections.get_draw(deps, draw_id=draw_id)
    doc = record.published
    units = {u["uscc"]: u for u in doc["units"]}
    assert units[usccs[0]]["class_code"] == "special" and units[usccs[1]]["class_code"] == "key"
    assert units[usccs[6]]["credit"] == "red"
    chosen = [s["uscc"] for s in doc["selections"]]
    assert usccs[0] in chosen  # special: always in
    homes = {i["inspector_id"]: i["home_area"] for i in doc["inspectors"]}
    for s in doc["selections"]:
        assert len(s["inspector_ids"]) == 2
        assert all(homes[i] != units[s["uscc"]]["area"] for i in s["inspector_ids"])
    special_team = next(s for s in doc["selections"] if s["uscc"] == usccs[0])["inspector_ids"]
    assert "I-3" not in special_team  # declared a conflict with it
    page = tasks.get_tasks(
        deps, draw_id=draw_id, plan_id="", uscc="", inspector_id="", status=None, page_size=0, page_token=""
    )
    assert sorted(t.uscc for t in page.items) == sorted(chosen)
    assert set(record.task_ids) == set(chosen)
    assert events(deps).count("DrawMade") == 1
    made = _payload(deps, "DrawMade")
    # The plan travels with the draw (the search index names the draw by it).
    assert isinstance(made, enforcement_pb2.DrawMade) and made.plan.name == "2026 Q1"
    assert made.plan.ends_on.month == 3 and made.draw.draw_id == draw_id
    recomputed, mismatch = inspections.verify_draw(deps, draw_id=draw_id)
    assert mismatch == "" and recomputed.inputs_sha256 == doc["inputs_sha256"]


def test_a_changed_stored_input_is_detected_by_verify_and_by_the_standalone_verifier(
    drawn: tuple[Deps, list[str], str], tmp_path: Path
) -> None:
    deps, _, draw_id = drawn
    doc = dict(inspections.get_draw(deps, draw_id=draw_id).published)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True)
    assert (run.returncode, run.stdout.strip()) == (0, "identical"), run.stdout + run.stderr
    units = [dict(u) for u in doc["units"]]
    units[3]["credit"] = "red" if units[3]["credit"] != "red" else "green"
    with deps.engine.begin() as conn:
        conn.execute(
            draws.update().where(draws.c.draw_id == draw_id).values(published={**doc, "units": units})
        )
    _, mismatch = inspections.verify_draw(deps, draw_id=draw_id)
    assert mismatch.startswith("inputs_sha256")
    path.write_text(json.dumps({**doc, "units": units}, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True)
    assert run.returncode == 1 and "inputs_sha256" in run.stdout


def test_a_violation_opens_a_problem_and_results_publish_once(drawn: tuple[Deps, list[str], str]) -> None:
    deps, _, draw_id = drawn
    page = tasks.get_tasks(
        deps, draw_id=draw_id, plan_id="", uscc="", inspector_id="", status=None, page_size=0, page_token=""
    )
    first, second = page.items[0], page.items[1]
    with pytest.raises(InvalidArgument, match=r"result\.inspector_ids"):
        result(
            outcome=Outcome.COMPLIANT,
            findings="",
            inspector_ids=["I-0"],
            inspected_at=NOW,
            evidence_refs=[],
            now=NOW,
        )
    stranger = result(
        outcome=Outcome.COMPLIANT,
        findings="",
        inspector_ids=["X-1", "X-2"],
        inspected_at=NOW,
        evidence_refs=[],
        now=NOW,
    )
    with pytest.raises(InvalidArgument, match="not drawn for this task"):
        tasks.record_result(deps, task_id=first.task_id, result=stranger, actor=OFFICER)
    found = result(
        outcome=Outcome.VIOLATION,
        findings="雨污混排，废水直排雨水管",
        inspector_ids=list(first.inspector_ids),
        inspected_at=NOW,
        evidence_refs=[],
        now=NOW,
    )
    done = tasks.record_result(deps, task_id=first.task_id, result=found, actor=OFFICER)
    assert done.status is TaskStatus.INSPECTED and done.result and done.result.problem_id
    problem, _ = problems.get(deps, problem_id=done.result.problem_id)
    assert problem.fields.source.value == "inspection" and problem.fields.uscc == first.uscc
    assert problem.fields.grid_id in ("west", "east")  # routed by the unit's location
    with pytest.raises(FailedPrecondition, match="inspected"):
        tasks.record_result(deps, task_id=first.task_id, result=found, actor=OFFICER)
    published = tasks.publish(deps, draw_id=draw_id, task_ids=[])
    assert [t.task_id for t in published] == [first.task_id]  # only the inspected one
    assert events(deps).count("InspectionPublished") == 1
    # The unit's name and place travel with the result (the search index places it without permits).
    announced = _payload(deps, "InspectionPublished")
    assert isinstance(announced, enforcement_pb2.InspectionPublished) and announced.uscc == first.uscc
    assert announced.enterprise_name.startswith("企业") and announced.town in ("浒山", "白沙路")
    assert announced.grid_id in ("west", "east") and announced.location.lat == 30.15
    with pytest.raises(FailedPrecondition):
        tasks.publish(deps, draw_id="", task_ids=[second.task_id])
    with deps.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(draws)).scalar_one() == 1
