"""The page's enforcement-owned figures once enforcement answers: shown with their [public] fields
only. Enforcement is a stand-in gRPC endpoint here (its service is another issue's work); the code
service, Kafka and PostgreSQL are real."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, enforcement_pb2, enforcement_pb2_grpc
from tests.integration.codes.harness import CodesHarness
from tests.integration.gateway_public.harness import enforcement_endpoint, gateway
from tests.unit.codes.factories import make_uscc

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)


def _ts(when: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(when)
    return ts


def _case(number: str, stage: int, decided: datetime, *, waived: bool = False) -> enforcement_pb2.Case:
    return enforcement_pb2.Case(
        case_id=f"id-{number}",
        case_number=number,
        title="超标排放 COD",
        stage=stage,  # type: ignore[arg-type]
        location=common_pb2.GeoPoint(lat=30.111111, lon=121.222222),
        owner=enforcement_pb2.Assignee(department="cixi-bureau", user="inspector.zhao"),
        decision=enforcement_pb2.CaseDecision(
            document_number=f"慈环罚〔{decided.year}〕{number}号",
            waived=waived,
            violation="超标排放水污染物",
            legal_basis="《水污染防治法》第八十三条",
            penalties=[enforcement_pb2.PENALTY_KIND_FINE],
            fine_fen=12_345_600,
            permit_number="PRIVATE-PERMIT-REF",
            decided_at=_ts(decided),
            rectify_by=_ts(decided + timedelta(days=30)),
            decided_by=common_pb2.Actor(department="cixi-bureau", user="chief.qian", reason="internal note"),
        ),
    )


class StandIn(enforcement_pb2_grpc.EnforcementServiceServicer):
    """Answers like an enforcement service holding one enterprise's history."""

    def __init__(self) -> None:
        self.petitions: list[enforcement_pb2.SubmitPetitionRequest] = []

    def ListInspectionTasks(self, request, context):  # type: ignore[no-untyped-def]
        result = enforcement_pb2.InspectionResult(
            outcome=enforcement_pb2.INSPECTION_OUTCOME_COMPLIANT,
            inspected_at=_ts(datetime(2025, 4, 2, 2, 0, tzinfo=UTC)),
            inspector_ids=["inspector-secret-1", "inspector-secret-2"],
            evidence_refs=["evidence-secret"],
        )
        older = enforcement_pb2.InspectionResult(
            outcome=enforcement_pb2.INSPECTION_OUTCOME_VIOLATION,
            inspected_at=_ts(datetime(2024, 1, 5, tzinfo=UTC)),
        )
        published = enforcement_pb2.INSPECTION_TASK_STATUS_PUBLISHED
        return enforcement_pb2.ListInspectionTasksResponse(
            tasks=[
                enforcement_pb2.InspectionTask(uscc=request.uscc, status=published, result=older),
                enforcement_pb2.InspectionTask(
                    uscc=request.uscc, status=published, result=result, draw_id="draw-secret"
                ),
            ]
        )

    def ListCases(self, request, context):  # type: ignore[no-untyped-def]
        assert set(request.stages) == {
            enforcement_pb2.CASE_STAGE_DECIDED,
            enforcement_pb2.CASE_STAGE_RECTIFIED,
            enforcement_pb2.CASE_STAGE_CLOSED,
        }
        return enforcement_pb2.ListCasesResponse(
            cases=[
                _case("1", enforcement_pb2.CASE_STAGE_DECIDED, NOW - timedelta(days=10)),
                _case("2", enforcement_pb2.CASE_STAGE_CLOSED, NOW - timedelta(days=400)),
                _case("3", enforcement_pb2.CASE_STAGE_CLOSED, NOW - timedelta(days=365 * 3 + 10)),  # too old
                _case(
                    "4", enforcement_pb2.CASE_STAGE_CLOSED, NOW - timedelta(days=30), waived=True
                ),  # not a penalty
            ]
        )

    def SubmitPetition(self, request, context):  # type: ignore[no-untyped-def]
        self.petitions.append(request)
        return enforcement_pb2.Petition(
            petition_id="p-1", tracking_code="XF-2025-0001", uscc=request.uscc, contact=request.contact,
            received_at=_ts(NOW), accept_due_at=_ts(NOW + timedelta(days=15)),
        )  # fmt: skip


def test_enforcement_figures_show_public_fields_only(codes: CodesHarness, tmp_path: Path) -> None:
    stand_in = StandIn()  # type: ignore[abstract]
    with (
        enforcement_endpoint(stand_in) as address,
        gateway(tmp_path, codes_address=codes.service.address, enforcement_address=address) as client,
    ):
        uscc = make_uscc()
        path = f"/c/{codes.register(uscc).token}"
        body = client.get(path, headers={"Accept": "application/json"}).json()
        assert body["last_inspection"]["date"] == "2025-04-02"
        assert body["last_inspection"]["outcome"] == "compliant"
        assert body["open_rectifications"]["count"] == 1
        assert [i["case_number"] for i in body["open_rectifications"]["items"]] == ["1"]
        penalties = body["penalties_last_3_years"]
        assert [p["document_number"][-3:] for p in penalties["items"]] == ["〕1号", "〕2号"]
        assert penalties["items"][0]["fine_yuan"] == 123456.0 and penalties["items"][0]["penalties"] == [
            "fine"
        ]
        text = json.dumps(body, ensure_ascii=False) + client.get(path).text
        secrets = [
            "inspector",
            "evidence-secret",
            "draw-secret",
            "PRIVATE-PERMIT-REF",
            "chief.qian",
            "internal note",
        ]
        assert [s for s in [*secrets, "30.111111", "121.222222"] if s in text] == []

        form = {"category": "air", "text": "夜间烟囱冒黑烟，持续一小时以上。", "contact": "ehs@example.cn"}
        form |= {"lat": "30.2", "lon": "121.3"}
        filed = client.post(f"{path}/petitions", data=form, headers={"Accept": "application/json"})
        assert filed.status_code == 201 and filed.json()["tracking_code"] == "XF-2025-0001"
        assert "contact" not in filed.json()
        [sent] = stand_in.petitions
        assert (sent.uscc, sent.source, sent.category, sent.contact) == (
            uscc,
            "code_page",
            "air",
            "ehs@example.cn",
        )
        assert (sent.location.lat, sent.location.lon) == (30.2, 121.3)


def test_an_enforcement_error_other_than_unavailable_is_passed_on(
    codes: CodesHarness, tmp_path: Path
) -> None:
    class Refusing(enforcement_pb2_grpc.EnforcementServiceServicer):
        def SubmitPetition(self, request, context):  # type: ignore[no-untyped-def]
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "text: duplicate of petition XF-2025-0001")

    with (
        enforcement_endpoint(Refusing()) as address,  # type: ignore[abstract]
        gateway(tmp_path, codes_address=codes.service.address, enforcement_address=address) as client,
    ):
        path = f"/c/{codes.register(make_uscc()).token}"
        response = client.post(
            f"{path}/petitions", data={"category": "noise", "text": "工地夜间施工噪声很大。。"}
        )
        assert response.status_code == 400 and "duplicate" in response.json()["message"]
