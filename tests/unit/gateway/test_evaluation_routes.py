"""The evaluation routes with a fake EvaluationService stub: what each route sends (dates, filters,
the deciding operator, a deadline), what it answers (levels with colour and label, KPIs, the report's
content type and filename), who may call it, and how the service's refusals come back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
from fastapi.testclient import TestClient
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, evaluation_pb2
from gateway import operators
from tests.unit.gateway.support import OFFICER_TOKEN, error_shape, gateway

USCC = "91330100716105852F"
ADMIN_TOKEN = "tok-eval-admin"
VIEWER_TOKEN = "tok-eval-viewer"
OFFICER = {"Authorization": f"Bearer {OFFICER_TOKEN}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
VIEWER = {"Authorization": f"Bearer {VIEWER_TOKEN}"}


class Refused(grpc.RpcError):
    """A gRPC refusal as the real channel raises it."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


def _ts(when: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(when)
    return ts


def _date(y: int, m: int, d: int) -> common_pb2.Date:
    return common_pb2.Date(year=y, month=m, day=d)


def _kpi(name: str, numerator: int, denominator: int) -> evaluation_pb2.Kpi:
    kpi = evaluation_pb2.Kpi(
        name=name,
        title="问题销号率",
        value=numerator / denominator if denominator else 0.0,
        target=0.9,
        numerator=numerator,
        denominator=denominator,
        at=_date(2026, 11, 30),
        to=_date(2026, 11, 30),
        undefined=denominator == 0,
        newest_event_at=_ts(datetime(2026, 11, 29, 8, 20, tzinfo=UTC)),
    )
    getattr(kpi, "from").CopyFrom(_date(2026, 11, 1))
    return kpi


class FakeEvaluation:
    """Answers like an evaluation service holding one yellow enterprise; records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, dict[str, Any]]] = []

    def _record(self, method: str, request: Any, kwargs: dict[str, Any]) -> None:
        self.calls.append((method, request, kwargs))

    def last(self, method: str) -> Any:
        return [request for name, request, _ in self.calls if name == method][-1]

    def GetCredit(self, request: Any, **kwargs: Any) -> evaluation_pb2.Credit:
        self._record("GetCredit", request, kwargs)
        if request.uscc != USCC:
            raise Refused(grpc.StatusCode.NOT_FOUND, f"uscc: no rating of {request.uscc}")
        return evaluation_pb2.Credit(
            uscc=USCC,
            level=common_pb2.CREDIT_LEVEL_YELLOW,
            score=80.0,
            rules_version="cixi-credit-1",
            explanation="score 80 earns blue; a fine caps it at yellow",
            score_level=common_pb2.CREDIT_LEVEL_BLUE,
            ceiling=common_pb2.CREDIT_LEVEL_YELLOW,
            level_label="环保警示企业",
            since=_ts(datetime(2026, 11, 20, 2, 0, tzinfo=UTC)),
            reasons=[
                evaluation_pb2.CreditReason(
                    rule_id="penalty.fine",
                    description="罚款",
                    points=-20.0,
                    source_event_id="ev-1",
                    at=_ts(datetime(2026, 11, 20, 1, 0, tzinfo=UTC)),
                    event_type="PenaltyDecided",
                    subject="case-1",
                    at_best=common_pb2.CREDIT_LEVEL_YELLOW,
                )
            ],
        )

    def GetCreditHistory(self, request: Any, **kwargs: Any) -> evaluation_pb2.CreditHistory:
        self._record("GetCreditHistory", request, kwargs)
        entry = evaluation_pb2.CreditHistoryEntry
        return evaluation_pb2.CreditHistory(
            uscc=request.uscc,
            entries=[
                entry(
                    since=_ts(datetime(2026, 1, 1, tzinfo=UTC)),
                    level=common_pb2.CREDIT_LEVEL_GREEN,
                    score=100,
                ),
                entry(
                    since=_ts(datetime(2026, 11, 20, tzinfo=UTC)),
                    level=common_pb2.CREDIT_LEVEL_YELLOW,
                    score=80,
                ),
            ],
        )

    def ListCredits(self, request: Any, **kwargs: Any) -> evaluation_pb2.ListCreditsResponse:
        self._record("ListCredits", request, kwargs)
        return evaluation_pb2.ListCreditsResponse(
            credits=[self.GetCredit(evaluation_pb2.GetCreditRequest(uscc=USCC))],
            page=common_pb2.PageInfo(next_page_token="next", total=7),
        )

    def RequestCreditRepair(self, request: Any, **kwargs: Any) -> evaluation_pb2.CreditRepair:
        self._record("RequestCreditRepair", request, kwargs)
        if request.case_id == "unrectified":
            raise Refused(grpc.StatusCode.FAILED_PRECONDITION, "case_id: its rectification is not verified")
        return evaluation_pb2.CreditRepair(
            request_id="r-1",
            uscc=request.uscc,
            case_id=request.case_id,
            reason=request.reason,
            status=evaluation_pb2.CREDIT_REPAIR_STATUS_REQUESTED,
            requested_at=_ts(datetime(2026, 11, 25, tzinfo=UTC)),
        )

    def DecideCreditRepair(self, request: Any, **kwargs: Any) -> evaluation_pb2.CreditRepair:
        self._record("DecideCreditRepair", request, kwargs)
        return evaluation_pb2.CreditRepair(
            request_id=request.request_id,
            status=evaluation_pb2.CREDIT_REPAIR_STATUS_APPROVED
            if request.approve
            else evaluation_pb2.CREDIT_REPAIR_STATUS_REFUSED,
            decided_by=common_pb2.Actor(department=f"gateway/{request.actor.user}"),
            decided_at=_ts(datetime(2026, 11, 26, tzinfo=UTC)),
            note=request.note,
        )

    def ListCreditRepairs(self, request: Any, **kwargs: Any) -> evaluation_pb2.ListCreditRepairsResponse:
        self._record("ListCreditRepairs", request, kwargs)
        return evaluation_pb2.ListCreditRepairsResponse(page=common_pb2.PageInfo(total=0))

    def ListKpis(self, request: Any, **kwargs: Any) -> evaluation_pb2.ListKpisResponse:
        self._record("ListKpis", request, kwargs)
        return evaluation_pb2.ListKpisResponse(
            kpis=[_kpi("problem_closure_rate", 3, 4), _kpi("good_aqi_day_share", 0, 0)]
        )

    def GetKpi(self, request: Any, **kwargs: Any) -> evaluation_pb2.Kpi:
        self._record("GetKpi", request, kwargs)
        if request.name == "happiness":
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT, "name: unknown KPI 'happiness'")
        return _kpi(request.name, 3, 4)

    def _card(self, subject: str, rank: int) -> evaluation_pb2.Scorecard:
        card = evaluation_pb2.Scorecard(
            subject=subject,
            score=90.0 - rank,
            rank=rank,
            ranked_of=3,
            to=_date(2026, 11, 30),
            eco_share=0.25,
            kpis=[_kpi("problem_closure_rate", 3, 4)],
        )
        getattr(card, "from").CopyFrom(_date(2026, 11, 1))
        return card

    def ListScorecards(self, request: Any, **kwargs: Any) -> evaluation_pb2.ListScorecardsResponse:
        self._record("ListScorecards", request, kwargs)
        towns = ("浒山", "宗汉", "坎墩")
        return evaluation_pb2.ListScorecardsResponse(
            scorecards=[self._card(f"town:{t}", i + 1) for i, t in enumerate(towns)]
        )

    def GetScorecard(self, request: Any, **kwargs: Any) -> evaluation_pb2.Scorecard:
        self._record("GetScorecard", request, kwargs)
        return self._card(request.subject, 2)

    def GetHotspots(self, request: Any, **kwargs: Any) -> evaluation_pb2.Hotspots:
        self._record("GetHotspots", request, kwargs)
        spots = evaluation_pb2.Hotspots(
            dimension=request.dimension,
            to=_date(2026, 11, 30),
            previous_from=_date(2026, 10, 2),
            previous_to=_date(2026, 10, 31),
            hotspots=[
                evaluation_pb2.Hotspot(
                    key="浒山", problems=3, petitions=1, total=4, previous_total=1, trend=3, rank=1
                )
            ],
            repeat_offenders=[evaluation_pb2.RepeatOffender(uscc=USCC, name="某厂", town="浒山", problems=2)],
        )
        getattr(spots, "from").CopyFrom(_date(2026, 11, 1))
        return spots

    def GetStatusReport(self, request: Any, **kwargs: Any) -> evaluation_pb2.StatusReport:
        self._record("GetStatusReport", request, kwargs)
        pdf = request.format == evaluation_pb2.REPORT_FORMAT_PDF
        report = evaluation_pb2.StatusReport(
            title="慈溪市生态环境状况报告",
            media_type="application/pdf" if pdf else "text/html; charset=utf-8",
            content=b"%PDF-1.4 fake" if pdf else "<html><h1>慈溪市生态环境状况报告</h1></html>".encode(),
            to=_date(2026, 11, 30),
        )
        getattr(report, "from").CopyFrom(_date(2026, 11, 1))
        return report


@pytest.fixture
def fake() -> FakeEvaluation:
    return FakeEvaluation()


@pytest.fixture
def client(tmp_path: Path, fake: FakeEvaluation) -> Iterator[TestClient]:
    with gateway(tmp_path) as test_client:
        engine = test_client.app.state.engine  # type: ignore[attr-defined]
        operators.create(engine, username="eval.admin", display_name="A", role="admin", token=ADMIN_TOKEN)
        operators.create(engine, username="eval.viewer", display_name="V", role="viewer", token=VIEWER_TOKEN)
        test_client.app.state.clients.evaluation = fake  # type: ignore[attr-defined]
        yield test_client


def test_credit_comes_with_its_colour_label_date_and_explanation(
    client: TestClient, fake: FakeEvaluation
) -> None:
    answer = client.get(f"/api/v1/enterprises/{USCC}/credit", headers=VIEWER)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["level"] == {
        "level": "yellow",
        "colour": "#e6ab02",
        "label": "环保警示企业",
        "meaning": "warned: violations on record, under closer supervision",
    }
    assert (body["score"], body["score_level"], body["ceiling"]) == (80.0, "blue", "yellow")
    assert body["since"] == "2026-11-20T10:00:00+08:00"
    assert [(r["rule_id"], r["points"], r["at_best"]) for r in body["reasons"]] == [
        ("penalty.fine", -20.0, "yellow")
    ]
    # Every call carries a deadline and the gateway's department token.
    _, _, kwargs = fake.calls[-1]
    assert kwargs["timeout"] > 0 and dict(kwargs["metadata"])["authorization"].startswith("Bearer ")


def test_an_unknown_enterprise_is_404_with_the_services_message(client: TestClient) -> None:
    answer = client.get("/api/v1/enterprises/914403001922038216/credit", headers=OFFICER)
    assert answer.status_code == 404 and error_shape(answer.json())
    assert answer.json()["message"] == "uscc: no rating of 914403001922038216"


def test_history_lists_levels_oldest_first(client: TestClient) -> None:
    body = client.get(f"/api/v1/enterprises/{USCC}/credit/history", headers=OFFICER).json()
    assert [(e["level"]["level"], e["score"]) for e in body["entries"]] == [
        ("green", 100.0),
        ("yellow", 80.0),
    ]


def test_credits_are_filtered_by_level_and_paged(client: TestClient, fake: FakeEvaluation) -> None:
    body = client.get(
        "/api/v1/credits",
        params={"level": "Yellow", "town": "浒山", "page_size": 5, "page_token": "t"},
        headers=OFFICER,
    ).json()
    sent = fake.last("ListCredits")
    assert (sent.level, sent.town, sent.page.page_size, sent.page.page_token) == (
        common_pb2.CREDIT_LEVEL_YELLOW,
        "浒山",
        5,
        "t",
    )
    assert (body["next_page_token"], body["total"], len(body["credits"])) == ("next", 7, 1)
    bad = client.get("/api/v1/credits", params={"level": "purple"}, headers=OFFICER)
    assert bad.status_code == 400 and bad.json()["message"].startswith("level: must be one of green")


def test_repair_requests_are_entered_by_staff_and_decided_by_an_admin(
    client: TestClient, fake: FakeEvaluation
) -> None:
    made = client.post(
        f"/api/v1/enterprises/{USCC}/credit/repairs",
        json={"case_id": "case-1", "reason": "整改完成"},
        headers=OFFICER,
    )
    assert made.status_code == 201 and made.json()["status"] == "requested"
    assert (
        client.post(
            f"/api/v1/enterprises/{USCC}/credit/repairs", json={"case_id": "case-1"}, headers=VIEWER
        ).status_code
        == 403
    )
    refused = client.post(
        f"/api/v1/enterprises/{USCC}/credit/repairs", json={"case_id": "unrectified"}, headers=OFFICER
    )
    assert (
        refused.status_code == 409
        and refused.json()["message"] == "case_id: its rectification is not verified"
    )
    assert (
        client.post(
            "/api/v1/credit/repairs/r-1/decision", json={"approve": True}, headers=OFFICER
        ).status_code
        == 403
    )
    decided = client.post(
        "/api/v1/credit/repairs/r-1/decision", json={"approve": True, "note": "同意"}, headers=ADMIN
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert fake.last("DecideCreditRepair").actor.user == "eval.admin"
    assert decided.json()["decided_by"] == "gateway/eval.admin"


def test_repairs_list_refuses_an_unknown_status(client: TestClient, fake: FakeEvaluation) -> None:
    ok = client.get("/api/v1/credit/repairs", params={"status": "approved", "uscc": USCC}, headers=OFFICER)
    assert (
        ok.status_code == 200
        and fake.last("ListCreditRepairs").status == evaluation_pb2.CREDIT_REPAIR_STATUS_APPROVED
    )
    bad = client.get("/api/v1/credit/repairs", params={"status": "maybe"}, headers=OFFICER)
    assert bad.status_code == 400 and bad.json()["message"].startswith("status: must be one of requested")


def test_kpis_send_the_date_and_period_and_show_counts(client: TestClient, fake: FakeEvaluation) -> None:
    body = client.get(
        "/api/v1/kpis",
        params={"at": "2026-11-30", "from": "2026-11-01", "to": "2026-11-30", "town": "浒山"},
        headers=VIEWER,
    ).json()
    sent = fake.last("ListKpis")
    assert (sent.at.year, sent.at.month, sent.at.day) == (2026, 11, 30)
    assert (getattr(sent, "from").month, getattr(sent, "from").day, sent.to.day, sent.town) == (
        11,
        1,
        30,
        "浒山",
    )
    closure, aqi = body["kpis"]
    assert (closure["numerator"], closure["denominator"], closure["value"], closure["target"]) == (
        3,
        4,
        0.75,
        0.9,
    )
    assert closure["from"] == "2026-11-01" and closure["newest_event_at"] == "2026-11-29T16:20:00+08:00"
    assert aqi["undefined"] is True and aqi["value"] is None


def test_a_bad_date_is_400_naming_the_field_before_any_call(client: TestClient, fake: FakeEvaluation) -> None:
    answer = client.get("/api/v1/kpis/problem_closure_rate", params={"from": "2026-02-30"}, headers=OFFICER)
    assert (
        answer.status_code == 400
        and answer.json()["message"] == "from: must be a date YYYY-MM-DD, got '2026-02-30'"
    )
    assert fake.calls == []
    unknown = client.get("/api/v1/kpis/happiness", headers=OFFICER)
    assert unknown.status_code == 400 and unknown.json()["message"] == "name: unknown KPI 'happiness'"


def test_scorecards_are_paged_in_rank_order(client: TestClient) -> None:
    first = client.get("/api/v1/scorecards", params={"page_size": 2}, headers=OFFICER).json()
    assert [c["subject"] for c in first["scorecards"]] == ["town:浒山", "town:宗汉"] and first["total"] == 3
    rest = client.get(
        "/api/v1/scorecards", params={"page_size": 2, "page_token": first["next_page_token"]}, headers=OFFICER
    ).json()
    assert [c["subject"] for c in rest["scorecards"]] == ["town:坎墩"] and rest["next_page_token"] == ""
    assert first["scorecards"][0]["from"] == "2026-11-01" and first["scorecards"][0]["eco_share"] == 0.25
    forged = client.get("/api/v1/scorecards", params={"page_token": "bm90LWEtbnVtYmVy"}, headers=OFFICER)
    assert forged.status_code == 400


def test_a_scorecard_names_town_or_department(client: TestClient, fake: FakeEvaluation) -> None:
    card = client.get("/api/v1/scorecards/department/cixi-bureau", headers=OFFICER).json()
    assert fake.last("GetScorecard").subject == "department:cixi-bureau" and card["rank"] == 2
    bad = client.get("/api/v1/scorecards/province/zj", headers=OFFICER)
    assert bad.status_code == 400 and bad.json()["message"].startswith(
        "kind: must be one of town, department"
    )


def test_hotspots_show_the_trend_and_repeat_offenders(client: TestClient, fake: FakeEvaluation) -> None:
    body = client.get("/api/v1/hotspots", params={"dimension": "town", "limit": 5}, headers=OFFICER).json()
    assert fake.last("GetHotspots").limit == 5
    assert body["hotspots"][0] == {
        "key": "浒山",
        "problems": 3,
        "petitions": 1,
        "total": 4,
        "previous_total": 1,
        "trend": 3,
        "rank": 1,
    }
    assert body["previous_from"] == "2026-10-02" and body["repeat_offenders"][0]["problems"] == 2


def test_the_report_downloads_as_pdf_and_opens_as_html_with_a_dated_filename(
    client: TestClient, fake: FakeEvaluation
) -> None:
    pdf = client.get(
        "/api/v1/reports/status.pdf", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=VIEWER
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert (
        pdf.headers["content-disposition"] == 'attachment; filename="status-report-2026-11-01-2026-11-30.pdf"'
    )
    assert pdf.content.startswith(b"%PDF")
    assert fake.last("GetStatusReport").format == evaluation_pb2.REPORT_FORMAT_PDF
    html = client.get("/api/v1/reports/status.html", headers=VIEWER)
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        html.headers["content-disposition"] == 'inline; filename="status-report-2026-11-01-2026-11-30.html"'
    )
    assert "生态环境状况报告" in html.text


def test_every_evaluation_route_needs_an_operator(client: TestClient) -> None:
    for path in (f"/api/v1/enterprises/{USCC}/credit", "/api/v1/kpis", "/api/v1/reports/status.pdf"):
        answer = client.get(path)
        assert answer.status_code == 401 and error_shape(answer.json()), path


def test_a_service_that_does_not_answer_is_503(tmp_path: Path) -> None:
    with gateway(tmp_path) as real:  # the evaluation address is a closed port
        answer = real.get("/api/v1/kpis", headers=OFFICER)
    assert answer.status_code == 503 and answer.json()["error"] == "UNAVAILABLE"
