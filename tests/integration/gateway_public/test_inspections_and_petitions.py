"""Issue 12 through the gateway against the real enforcement service: a petition from a scanned code
page reaches the ledger and its tracking page; a published draw, fetched from the public route, is
reproduced by the standalone verifier (and a tampered copy is not); the code page shows the latest
published inspection."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import grpc
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image
from pyzbar.pyzbar import decode

from eco.v1 import common_pb2, enforcement_pb2_grpc, permits_pb2, risk_pb2
from eco.v1 import enforcement_pb2 as pb
from services.enforcement import bootstrap
from services.enforcement.adapters.tables import inspection_targets
from services.enforcement.entrypoints import consumers, target_consumers
from shared import events
from shared.clock import ManualClock
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from shared.topology import topic_for
from tests.integration.codes.harness import CodesHarness
from tests.integration.enforcement.conftest import Enforcement
from tests.integration.enforcement.grids import city
from tests.integration.gateway_public.harness import gateway, operator_headers
from tests.support import infra, topics
from tests.unit.codes import factories
from tests.unit.codes.factories import make_uscc, summary

pytestmark = pytest.mark.integration
VERIFIER = Path(bootstrap.__file__).resolve().parent / "verifier" / "verify_draw.py"
JSON = {"Accept": "application/json"}
GOOD = {"category": "water", "text": "河边排口在夜里排出黄色污水，有刺鼻气味。", "contact": "13805741234"}
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
WEST, EAST = (30.15, 121.25), (30.15, 121.35)


@dataclass
class Both:
    enforcement: Enforcement
    client: TestClient
    codes: CodesHarness


@pytest.fixture
def both(codes: CodesHarness, start_service: Callable[..., RunningService], tmp_path: Path) -> Iterator[Both]:
    """The real enforcement service (its own database, consumer groups from now on) and the gateway."""
    with infra.fresh_postgres_database() as url:
        topics.create_topics_if_missing(*consumers.TOPICS, *target_consumers.TOPICS, topic_for("enforcement"))
        group = infra.unique("enforcement-test-")
        topics.start_group_at_end(group, *consumers.TOPICS)
        topics.start_group_at_end(target_consumers.group_for(group), *target_consumers.TOPICS)
        clock = ManualClock(START)
        service = start_service(
            "enforcement", bootstrap.build, url, clock=clock, escalation_every=3600.0, consumer_group=group
        )
        ch = channel(service.address)
        e = Enforcement(service, enforcement_pb2_grpc.EnforcementServiceStub(ch), clock)
        city(e)
        with gateway(
            tmp_path, codes_address=codes.service.address, enforcement_address=service.address
        ) as client:
            yield Both(e, client, codes)
        ch.close()
        service.stop(grace=0)


def _register(b: Both, uscc: str, where: tuple[float, float], grid: str, key: bool = False) -> None:
    """Permits' EnterpriseRegistered on its real topic, then wait until enforcement's targets have it."""
    s = summary(uscc)
    s.location.CopyFrom(common_pb2.GeoPoint(lat=where[0], lon=where[1]))
    s.grid = grid
    s.permit_class = common_pb2.PERMIT_CLASS_KEY if key else common_pb2.PERMIT_CLASS_REGISTRATION
    del s.risk_flags[:]
    envelope = events.make_envelope(
        source="permits", subject_id=uscc, payload=permits_pb2.EnterpriseRegistered(enterprise=s)
    )
    b.codes.publish(envelope, topic=topic_for("permits"))

    def known() -> bool:
        with b.enforcement.service.app.engine.connect() as conn:
            query = sa.select(inspection_targets.c.grid_id).where(inspection_targets.c.uscc == uscc)
            return conn.execute(query).scalar_one_or_none() == grid

    infra.wait_for(known, timeout=30, what=f"enforcement's target {uscc}")


def _scan(client: TestClient, uscc: str) -> str:
    headers = operator_headers(client, "officer")
    png = client.get(f"/api/v1/enterprises/{uscc}/code.png", headers=headers)
    [symbol] = decode(Image.open(io.BytesIO(png.content)))
    return urlsplit(symbol.data.decode()).path


def test_a_petition_from_a_scanned_code_page_reaches_the_ledger_and_its_tracking_page(both: Both) -> None:
    uscc = make_uscc()
    both.codes.register(uscc)
    _register(both, uscc, WEST, "west")
    path = _scan(both.client, uscc)
    filed = both.client.post(f"{path}/petitions", data=GOOD, headers=JSON)
    assert filed.status_code == 201, filed.text
    receipt = filed.json()
    assert receipt["tracking_code"].startswith("XF20260302-")
    tracked = both.client.get(receipt["track_url"], headers=JSON)
    assert tracked.status_code == 200
    public = tracked.json()
    assert (public["status"], public["uscc"], public["town"]) == ("received", uscc, "浒山")
    assert public["accept_due_at"].startswith("2026-03-17T23:59:59")
    assert GOOD["contact"] not in tracked.text and GOOD["text"] not in tracked.text
    page = both.client.get(receipt["track_url"])
    assert page.status_code == 200 and receipt["tracking_code"] in page.text
    assert GOOD["contact"] not in page.text
    officer = operator_headers(both.client, "officer")
    listed = both.client.get("/api/v1/petitions", params={"uscc": uscc}, headers=officer).json()
    [petition] = listed["petitions"]
    assert (petition["contact"], petition["grid_id"], petition["source"]) == (
        GOOD["contact"],
        "west",
        "code_page",
    )
    decided = both.client.post(
        f"/api/v1/petitions/{petition['petition_id']}/decision", json={"accept": True}, headers=officer
    )
    assert decided.status_code == 200, decided.text
    e = both.enforcement
    problem = e.stub.GetProblem(
        pb.GetProblemRequest(problem_id=decided.json()["problem_id"]), metadata=e.md()
    )
    assert (problem.source, problem.uscc, problem.grid_id) == (pb.PROBLEM_SOURCE_PETITION, uscc, "west")
    assert both.client.get(receipt["track_url"], headers=JSON).json()["status"] == "accepted"
    again = both.client.post(
        f"/api/v1/petitions/{petition['petition_id']}/decision", json={"accept": True}, headers=officer
    )
    assert again.status_code == 409
    assert both.client.get("/petitions/track/XF20260302-NOSUCHCODE", headers=JSON).status_code == 404


def _verify(doc: dict[str, object], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True)


def test_a_published_draw_is_verified_from_the_public_route_and_results_reach_the_code_page(
    both: Both, tmp_path: Path
) -> None:
    e, client = both.enforcement, both.client
    units = [make_uscc() for _ in range(6)]
    for n, uscc in enumerate(units):
        _register(both, uscc, WEST if n % 2 == 0 else EAST, "west" if n % 2 == 0 else "east", key=n == 0)
    # Evaluation's and risk's events set the credit and the risk level: a major risk is a special unit.
    both.codes.publish(
        factories.credit_changed(units[1], common_pb2.CREDIT_LEVEL_RED, START), topic=topic_for("evaluation")
    )
    risk = risk_pb2.RiskLevelChanged(uscc=units[3], level=risk_pb2.RISK_LEVEL_MAJOR)
    both.codes.publish(
        events.make_envelope(source="risk", subject_id=units[3], payload=risk), topic=topic_for("risk")
    )

    def rated() -> bool:
        with e.service.app.engine.connect() as conn:
            rows = {r.uscc: r.credit for r in conn.execute(sa.select(inspection_targets))}
            level = conn.execute(
                sa.select(inspection_targets.c.risk_level).where(inspection_targets.c.uscc == units[3])
            ).scalar_one()
        return rows[units[1]] == "red" and level == "major"

    infra.wait_for(rated, timeout=30, what="the credit and risk events")
    for n in range(4):
        e.stub.CreateInspector(
            pb.CreateInspectorRequest(
                inspector=pb.Inspector(
                    inspector_id=infra.unique("I-"),
                    name=f"执法员{n}",
                    badge_number=f"3302820{n}",
                    home_grid_id="west" if n < 2 else "east",
                    active=True,
                )
            ),
            metadata=e.md(),
        )
    plan = e.stub.CreateInspectionPlan(
        pb.CreateInspectionPlanRequest(
            plan=pb.InspectionPlan(
                name="2026年第一季度双随机抽查",
                starts_on=common_pb2.Date(year=2026, month=1, day=1),
                ends_on=common_pb2.Date(year=2026, month=3, day=31),
                classes=[
                    pb.InspectionClass(code="key", ratio=1.0),
                    pb.InspectionClass(code="ordinary", ratio=0.5),
                    pb.InspectionClass(code="special", always_include=True),
                ],
                team_size=2,
            )
        ),
        metadata=e.md(),
    )
    drawn = e.stub.MakeDraw(pb.MakeDrawRequest(plan_id=plan.plan_id, seed="c0ffee" * 8), metadata=e.md())
    chosen = {s.uscc: s for s in drawn.selections}
    assert units[0] in chosen and units[3] in chosen  # the key unit at ratio 1; the special one always
    drawn_units = {u.uscc: u for u in drawn.units}
    assert drawn_units[units[1]].credit == common_pb2.CREDIT_LEVEL_RED
    assert drawn_units[units[3]].class_code == "special"
    assert e.stub.VerifyDraw(pb.VerifyDrawRequest(draw_id=drawn.draw_id), metadata=e.md()).reproduced
    inspected = chosen[units[0]]
    e.stub.RecordInspectionResult(
        pb.RecordInspectionResultRequest(
            task_id=inspected.task_id,
            result=pb.InspectionResult(
                outcome=pb.INSPECTION_OUTCOME_COMPLIANT, inspector_ids=list(inspected.inspector_ids)
            ),
        ),
        metadata=e.md(),
    )
    published = e.stub.PublishInspectionResults(
        pb.PublishInspectionResultsRequest(draw_id=drawn.draw_id), metadata=e.md()
    )
    assert [t.uscc for t in published.tasks] == [units[0]]

    listed = client.get("/public/inspections/draws", params={"plan_id": plan.plan_id})
    assert listed.status_code == 200 and listed.json()["total"] == 1
    doc = client.get(f"/public/inspections/draws/{drawn.draw_id}").json()["published"]
    assert doc["seed"] == "c0ffee" * 8 and doc["inputs_sha256"] == drawn.inputs_sha256
    run = _verify(doc, tmp_path)
    assert (run.returncode, run.stdout.strip()) == (0, "identical"), run.stdout + run.stderr
    doc["selections"][0]["inspector_ids"] = list(reversed(doc["selections"][0]["inspector_ids"]))
    run = _verify(doc, tmp_path)
    assert run.returncode == 1 and run.stdout.startswith("differs:"), run.stdout + run.stderr

    results = client.get("/public/inspections/results", params={"draw_id": drawn.draw_id}).json()
    assert [(r["uscc"], r["outcome"]) for r in results["results"]] == [(units[0], "compliant")]
    token = both.codes.register(units[0]).token
    page = client.get(f"/c/{token}", headers=JSON).json()
    assert page["last_inspection"]["available"] is True
    assert page["last_inspection"]["outcome"] == "compliant"


def test_unauthenticated_callers_cannot_enter_petitions(both: Both) -> None:
    refused = both.client.post("/api/v1/petitions", json={"category": "air", "text": "异味扰民", "uscc": ""})
    assert refused.status_code == 401
    stub = both.enforcement.stub
    with pytest.raises(grpc.RpcError) as denied:
        stub.SubmitPetition(
            pb.SubmitPetitionRequest(category="air"), metadata=call_metadata("dev-courts-token")
        )
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED  # type: ignore[attr-defined]
