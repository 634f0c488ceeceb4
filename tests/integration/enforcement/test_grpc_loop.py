"""The ledger and the closed loop through gRPC against PostgreSQL: every step, the refusals with
their status and message, grids and routing, the evidence chain."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2
from eco.v1 import enforcement_pb2 as pb
from services.enforcement.adapters.tables import evidence as evidence_table
from tests.integration.enforcement.conftest import Enforcement
from tests.integration.enforcement.grids import city, square
from tests.support import infra
from tests.unit.enforcement.factories import USCC

pytestmark = pytest.mark.integration
WHO = common_pb2.Actor(user="officer", reason="核查")


def _ts(e: Enforcement, delta: timedelta) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(e.clock.now() + delta)
    return ts


def _open(e: Enforcement, ref: str, lat: float = 30.15, lon: float = 121.25) -> pb.Problem:
    return e.stub.OpenProblem(
        pb.OpenProblemRequest(
            source=pb.PROBLEM_SOURCE_MANUAL,
            source_ref=ref,
            title="河面异味",
            category="water",
            uscc=USCC,
            location=common_pb2.GeoPoint(lat=lat, lon=lon),
            actor=WHO,
        ),
        metadata=e.md(),
    )


def _code(call: object) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as err:
        call()  # type: ignore[operator]
    return err.value.code(), err.value.details()


def test_the_whole_loop_through_grpc(enforcement: Enforcement) -> None:
    e = enforcement
    city(e)
    problem = _open(e, infra.unique("ref-"))
    assert (problem.grid_id, problem.town, problem.stage) == ("west", "浒山", pb.CASE_STAGE_DISCOVERED)
    assert (
        _open(e, problem.source_ref).problem_id == problem.problem_id
    )  # the same reference, the same problem
    case = e.stub.GetCase(pb.GetCaseRequest(case_id=problem.case_id), metadata=e.md())
    assert case.owner.commissioner_id == "wgy-1" and case.case_number.startswith("CX-2026-")

    code, message = _code(
        lambda: e.stub.LockEvidence(pb.LockEvidenceRequest(case_id=case.case_id), metadata=e.md())
    )
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "is DISCOVERED" in message

    e.stub.TraceCase(
        pb.TraceCaseRequest(case_id=case.case_id, responsible_uscc=USCC, actor=WHO), metadata=e.md()
    )
    item = e.stub.AddEvidence(
        pb.AddEvidenceRequest(
            case_id=case.case_id,
            kind=pb.EVIDENCE_KIND_PHOTO,
            media_type="image/jpeg",
            content=b"\xff\xd8photo",
        ),
        metadata=e.md(),
    )
    assert item.sequence == 1 and item.previous_sha256 == "0" * 64
    case = e.stub.LockEvidence(
        pb.LockEvidenceRequest(case_id=case.case_id, expected_head_sha256=item.item_sha256, actor=WHO),
        metadata=e.md(),
    )
    assert case.locked_evidence_sha256 == item.item_sha256
    code, message = _code(
        lambda: e.stub.RecordInvestigation(
            pb.RecordInvestigationRequest(
                case_id=case.case_id,
                investigation=pb.CaseInvestigation(
                    findings="x", harm=pb.HARM_LEVEL_SLIGHT, inspector_ids=["only-one"]
                ),
            ),
            metadata=e.md(),
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and message.startswith("investigation.inspector_ids:")
    e.stub.RecordInvestigation(
        pb.RecordInvestigationRequest(
            case_id=case.case_id,
            investigation=pb.CaseInvestigation(
                findings="首次，轻微，已改正",
                first_violation=True,
                harm=pb.HARM_LEVEL_SLIGHT,
                corrected_in_time=True,
                inspector_ids=["i-1", "i-2"],
                actor=WHO,
            ),
        ),
        metadata=e.md(),
    )
    waiver = pb.CaseDecision(
        document_number="慈环不罚〔2026〕1号",
        waived=True,
        waiver_list_item="ZJ-W-03",
        rectify_by=_ts(e, timedelta(days=15)),
    )
    code, message = _code(
        lambda: e.stub.DecideCase(
            pb.DecideCaseRequest(
                case_id=case.case_id,
                decision=pb.CaseDecision(
                    document_number="x",
                    legal_basis="WPPL-83-2",
                    penalties=[pb.PENALTY_KIND_FINE],
                    fine_fen=1,
                    rectify_by=_ts(e, timedelta(days=15)),
                ),
            ),
            metadata=e.md(),
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and message.startswith("decision.fine_fen:")
    case = e.stub.DecideCase(pb.DecideCaseRequest(case_id=case.case_id, decision=waiver), metadata=e.md())
    assert case.decision.waived and case.stage == pb.CASE_STAGE_DECIDED
    case = e.stub.RecordRectification(
        pb.RecordRectificationRequest(
            case_id=case.case_id,
            rectification=pb.CaseRectification(
                measures="清理排口", evidence_ids=[item.evidence_id], verified_by=WHO
            ),
        ),
        metadata=e.md(),
    )
    case = e.stub.CloseCase(
        pb.CloseCaseRequest(case_id=case.case_id, note="销号", actor=WHO), metadata=e.md()
    )
    assert (case.stage, case.outcome) == (pb.CASE_STAGE_CLOSED, pb.CASE_OUTCOME_WAIVED)
    assert [t.to_stage for t in case.history] == list(range(1, 8))
    listed = e.stub.ListProblems(
        pb.ListProblemsRequest(stages=[pb.CASE_STAGE_CLOSED], grid_id="west"), metadata=e.md()
    )
    assert [p.problem_id for p in listed.problems] == [problem.problem_id]
    assert listed.problems[0].history[-1].what == "closed"


def test_bad_input_changes_nothing_and_a_draw_names_the_missing_plan(enforcement: Enforcement) -> None:
    e = enforcement
    code, message = _code(lambda: e.stub.OpenProblem(pb.OpenProblemRequest(title="x"), metadata=e.md()))
    assert (code, message) == (grpc.StatusCode.INVALID_ARGUMENT, "source: required")
    code, message = _code(
        lambda: e.stub.CreateGrid(
            pb.CreateGridRequest(
                grid=pb.Grid(grid_id="g", name="g", level=1, boundary=square(121.0, 30.0, 122.0, 30.1))
            ),
            metadata=e.md(),
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "outside the city" in message
    assert e.stub.ListGrids(pb.ListGridsRequest(), metadata=e.md()).page.total == 0
    code, _ = _code(
        lambda: e.stub.ListProblems(
            pb.ListProblemsRequest(page=common_pb2.PageRequest(page_token="!!")), metadata=e.md()
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    code, message = _code(lambda: e.stub.MakeDraw(pb.MakeDrawRequest(plan_id="p"), metadata=e.md()))
    assert code == grpc.StatusCode.NOT_FOUND and "p" in message
    assert e.stub.ListDraws(pb.ListDrawsRequest(), metadata=e.md()).page.total == 0


def test_grids_route_points_and_commissioners_follow_updates(enforcement: Enforcement) -> None:
    e = enforcement
    city(e)

    def locate(lat: float, lon: float) -> pb.Grid:
        return e.stub.LocateGrid(
            pb.LocateGridRequest(location=common_pb2.GeoPoint(lat=lat, lon=lon)), metadata=e.md()
        )

    assert locate(30.15, 121.3).grid_id == "east"  # on the shared border: the eastern grid
    assert locate(30.35, 121.5).grid_id == "city"
    code, _ = _code(lambda: locate(31.0, 122.0))
    assert code == grpc.StatusCode.NOT_FOUND
    e.stub.UpdateGrid(
        pb.UpdateGridRequest(
            grid=pb.Grid(grid_id="east", commissioner_ids=["wgy-1"]),
            update_mask=FieldMask(paths=["commissioner_ids"]),
        ),
        metadata=e.md(),
    )
    listed = e.stub.ListCommissioners(pb.ListCommissionersRequest(grid_id="east"), metadata=e.md())
    assert [(c.commissioner_id, sorted(c.grid_ids)) for c in listed.commissioners] == [
        ("wgy-1", ["east", "west"])
    ]


def test_tampering_with_a_stored_file_or_row_is_found_at_its_link(
    enforcement: Enforcement,
) -> None:
    e = enforcement
    problem = _open(e, infra.unique("ref-"))
    items = [
        e.stub.AddEvidence(
            pb.AddEvidenceRequest(
                case_id=problem.case_id, kind=pb.EVIDENCE_KIND_RECORD, content=f"笔录 {n}".encode()
            ),
            metadata=e.md(),
        )
        for n in range(3)
    ]

    def verify() -> pb.VerifyEvidenceChainResponse:
        return e.stub.VerifyEvidenceChain(
            pb.VerifyEvidenceChainRequest(case_id=problem.case_id), metadata=e.md()
        )

    assert verify().intact and verify().head_sha256 == items[-1].item_sha256
    evidence_dir = e.service.app.settings.run_dir / "evidence" / "enforcement"
    stored = evidence_dir / items[1].content_sha256[:2] / items[1].content_sha256
    original = stored.read_bytes()
    stored.write_bytes(b"altered")
    broken = verify()
    assert (broken.intact, broken.first_broken_sequence) == (False, 2)
    stored.write_bytes(original)
    engine = sa.create_engine(e.service.app.settings.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                evidence_table.update()
                .where(evidence_table.c.evidence_id == items[2].evidence_id)
                .values(source_ref="x")
            )
    finally:
        engine.dispose()
    broken = verify()
    assert (broken.intact, broken.first_broken_sequence) == (False, 3)
    fetched = e.stub.GetEvidence(
        pb.GetEvidenceRequest(evidence_id=items[0].evidence_id, include_content=True), metadata=e.md()
    )
    assert fetched.content == "笔录 0".encode()
