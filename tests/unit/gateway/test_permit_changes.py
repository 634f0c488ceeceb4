"""The routes that change permits and the registry (issue 15) against fake stubs: the request each
sends (with the operator as actor and a deadline), the answer's documented shape, bad input refused
as 400 naming the field before any call, and roles other than permit officers and admins refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from fastapi.testclient import TestClient

from eco.v1 import common_pb2, permits_pb2
from gateway import operators, roles
from tests.unit.gateway.fakes import FakeRpcError, FakeStub
from tests.unit.gateway.support import gateway

USCC, OTHER = "91330100716105852F", "914403001922038216"
OUTLET = f"{USCC}-DW001"
ROLES_ALLOWED = (roles.PERMIT_OFFICER, roles.ADMIN)


def _headers(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer tok-change-{role}"}


OFFICER = _headers(roles.PERMIT_OFFICER)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with gateway(tmp_path) as test_client:
        app: Any = test_client.app
        for role in roles.ROLES:
            area = {"town": "浒山街道"} if role == roles.GRID_COMMISSIONER else {}
            operators.create(
                app.state.engine,
                username=f"change.{role}",
                display_name=role,
                role=role,
                token=f"tok-change-{role}",
                **area,
            )
        yield test_client


def _permits(client: TestClient, **methods: Any) -> FakeStub:
    stub = FakeStub("permits", **methods)
    client.app.state.clients.permits = stub  # type: ignore[attr-defined]
    return stub


def _limit(parameter: str = "COD", value: float = 50.0) -> dict[str, Any]:
    return {
        "parameter": parameter,
        "concentration_limit": {"value": value, "unit": "mg/L"},
        "annual_tonnes": 12.5,
    }


APPLICATION = {"uscc": USCC, "outlets": [{"outlet_id": OUTLET, "limits": [_limit()]}], "reason": "企业申请"}
EIA = {"uscc": USCC, "project_name": "印染技改项目", "document_type": "report_form", "reason": "材料齐全"}
RADIATION = {"uscc": USCC, "scope": "使用III类射线装置", "valid_from": "2026-03-01", "reason": "现场核查"}
# Every change route with a body it accepts: (method, path, body).
CHANGES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/v1/permits", APPLICATION),
    ("POST", "/api/v1/permits/P-1/issue", {"reason": "审核通过"}),
    ("POST", "/api/v1/eia", EIA),
    ("POST", "/api/v1/radiation-permits", RADIATION),
    ("PUT", "/api/v1/rights/COD/cap", {"cap_tonnes": 1200, "reason": "年度总量指标"}),
    ("POST", "/api/v1/rights/COD/allocations", {"uscc": USCC, "tonnes": 12.5, "reason": "初始分配"}),
    (
        "POST",
        "/api/v1/rights/COD/transfers",
        {"from_uscc": USCC, "to_uscc": OTHER, "tonnes": 2.5, "reason": "交易合同"},
    ),
    ("POST", "/api/v1/rights/COD/returns", {"uscc": USCC, "tonnes": 1, "reason": "关停"}),
    ("PATCH", f"/api/v1/enterprises/{USCC}", {"grid": "浒山-03"}),
    (
        "POST",
        f"/api/v1/enterprises/{USCC}/outlets",
        {
            "kind": "wastewater",
            "name": "总排口",
            "lat": 30.17,
            "lon": 121.27,
            "monitored_pollutants": ["COD"],
        },
    ),
]


def test_applying_for_a_permit_sends_the_limits_and_the_operator(client: TestClient) -> None:
    stub = _permits(
        client,
        ApplyPermit=lambda r: permits_pb2.Permit(
            permit_number=f"{r.uscc}001P",
            uscc=r.uscc,
            status=permits_pb2.PERMIT_STATUS_APPLIED,
            outlets=r.outlets,
            applied_on=r.applied_on,
        ),
    )
    body = {**APPLICATION, "applied_on": "2026-11-30"}
    answer = client.post("/api/v1/permits", json=body, headers=OFFICER)
    assert answer.status_code == 201, answer.text
    permit = answer.json()
    assert (permit["permit_number"], permit["status"], permit["applied_on"]) == (
        f"{USCC}001P",
        "applied",
        "2026-11-30",
    )
    assert permit["outlets"][0]["limits"][0]["concentration_limit"] == {"value": 50.0, "unit": "mg/L"}
    name, request, kwargs = stub.calls[0]
    assert name == "ApplyPermit" and kwargs["timeout"] > 0 and kwargs["metadata"]
    assert (request.uscc, request.outlets[0].outlet_id, request.outlets[0].limits[0].annual_tonnes) == (
        USCC,
        OUTLET,
        12.5,
    )
    assert (request.applied_on.year, request.applied_on.month, request.applied_on.day) == (2026, 11, 30)
    assert (request.actor.user, request.actor.reason) == ("change.permit_officer", "企业申请")


def test_issuing_may_replace_the_applied_limits(client: TestClient) -> None:
    stub = _permits(
        client,
        IssuePermit=lambda r: permits_pb2.Permit(
            permit_number=r.permit_number, status=permits_pb2.PERMIT_STATUS_ISSUED, outlets=r.outlets
        ),
    )
    tighter = {"outlet_id": OUTLET, "limits": [_limit(value=40.0)]}
    answer = client.post("/api/v1/permits/P-1/issue", json={"outlets": [tighter]}, headers=OFFICER)
    assert answer.status_code == 200, answer.text
    assert answer.json()["outlets"][0]["limits"][0]["concentration_limit"]["value"] == 40.0
    assert stub.calls[0][1].outlets[0].limits[0].concentration_limit.value == 40.0
    # Without outlets the applied limits stand: none are sent.
    assert client.post("/api/v1/permits/P-1/issue", json={}, headers=OFFICER).status_code == 200
    assert list(stub.calls[1][1].outlets) == []


def test_accepting_an_eia_application_and_issuing_a_radiation_permit(client: TestClient) -> None:
    stub = _permits(
        client,
        AcceptEia=lambda r: permits_pb2.EiaApplication(
            eia_id="EIA-1",
            uscc=r.uscc,
            project_name=r.project_name,
            document_type=r.document_type,
            status=permits_pb2.EIA_STATUS_ACCEPTED,
            days_left=30,
        ),
        IssueRadiationPermit=lambda r: permits_pb2.RadiationPermit(
            permit_number=r.permit_number or f"{r.uscc}-R01",
            uscc=r.uscc,
            scope=r.scope,
            status=permits_pb2.RADIATION_PERMIT_STATUS_ISSUED,
            valid_from=r.valid_from,
        ),
    )
    eia = client.post("/api/v1/eia", json={**EIA, "green_channel": True}, headers=OFFICER)
    assert eia.status_code == 201, eia.text
    assert (eia.json()["document_type"], eia.json()["status"], eia.json()["days_left"]) == (
        "report_form",
        "accepted",
        30,
    )
    sent = stub.calls[-1][1]
    assert sent.document_type == permits_pb2.EIA_DOCUMENT_TYPE_REPORT_FORM and sent.green_channel is True
    assert not sent.HasField("accepted_on")  # the service's default: today
    radiation = client.post("/api/v1/radiation-permits", json=RADIATION, headers=_headers(roles.ADMIN))
    assert radiation.status_code == 201, radiation.text
    assert (
        radiation.json()["permit_number"] == f"{USCC}-R01" and radiation.json()["valid_from"] == "2026-03-01"
    )
    assert stub.calls[-1][1].actor.user == "change.admin"


def test_the_rights_ledger_changes(client: TestClient) -> None:
    def entry(kind: Any, **fields: Any) -> permits_pb2.RightsEntry:
        return permits_pb2.RightsEntry(entry_id=7, kind=kind, **fields)

    stub = _permits(
        client,
        SetRightsCap=lambda r: permits_pb2.RightsPosition(
            pollutant=r.pollutant, cap_tonnes=r.cap_tonnes, reserve_tonnes=r.cap_tonnes
        ),
        AllocateRights=lambda r: entry(
            permits_pb2.RIGHTS_ENTRY_KIND_ALLOCATION, pollutant=r.pollutant, to_holder=r.uscc, tonnes=r.tonnes
        ),
        TransferRights=lambda r: entry(
            permits_pb2.RIGHTS_ENTRY_KIND_TRANSFER,
            pollutant=r.pollutant,
            from_holder=r.from_uscc,
            to_holder=r.to_uscc,
            tonnes=r.tonnes,
            actor=r.actor,
        ),
        ReturnRights=lambda r: entry(
            permits_pb2.RIGHTS_ENTRY_KIND_RETURN, pollutant=r.pollutant, from_holder=r.uscc, tonnes=r.tonnes
        ),
    )
    cap = client.put(
        "/api/v1/rights/COD/cap", json={"cap_tonnes": 1200, "reason": "年度总量指标"}, headers=OFFICER
    )
    assert cap.status_code == 200, cap.text
    assert cap.json() == {"pollutant": "COD", "cap_tonnes": 1200.0, "reserve_tonnes": 1200.0, "holdings": []}
    assert stub.calls[-1][1].actor.reason == "年度总量指标"
    answers = {
        path: client.post(f"/api/v1/rights/COD/{path}", json=body, headers=OFFICER)
        for _, full, body in CHANGES
        if (path := full.rsplit("/", 1)[-1]) in ("allocations", "transfers", "returns")
    }
    assert {path: a.status_code for path, a in answers.items()} == dict.fromkeys(answers, 201)
    transfer = answers["transfers"].json()
    assert (transfer["kind"], transfer["from_holder"], transfer["to_holder"], transfer["tonnes"]) == (
        "transfer",
        USCC,
        OTHER,
        2.5,
    )
    assert transfer["actor"] == {
        "department": "bureau",
        "user": "change.permit_officer",
        "reason": "交易合同",
    }
    assert answers["allocations"].json()["to_holder"] == USCC
    assert answers["returns"].json()["from_holder"] == USCC
    assert [c[0] for c in stub.calls] == ["SetRightsCap", "AllocateRights", "TransferRights", "ReturnRights"]
    assert all(c[2]["timeout"] > 0 for c in stub.calls)


def test_updating_an_enterprise_changes_only_the_fields_named(client: TestClient) -> None:
    stub = _permits(
        client,
        UpdateEnterprise=lambda r: permits_pb2.Enterprise(uscc=r.uscc, fields=r.fields),
    )
    changes = {"grid": "浒山-03", "lat": 30.18, "lon": 121.26, "risk_flags": ["heavy_metals"]}
    answer = client.patch(f"/api/v1/enterprises/{USCC}", json=changes, headers=OFFICER)
    assert answer.status_code == 200, answer.text
    assert answer.json()["fields"]["risk_flags"] == ["heavy_metals"]
    request = stub.calls[0][1]
    assert list(request.update_mask.paths) == ["grid", "location", "risk_flags"]
    assert (request.fields.grid, request.fields.location.lat) == ("浒山-03", 30.18)
    assert list(request.fields.risk_flags) == [permits_pb2.RISK_FLAG_HEAVY_METALS]
    assert stub.calls[0][2]["timeout"] > 0
    # A contact is replaced whole; nothing else is in the mask.
    client.patch(f"/api/v1/enterprises/{USCC}", json={"contact": {"phone": "0574-1"}}, headers=OFFICER)
    assert list(stub.calls[1][1].update_mask.paths) == ["contact"]
    assert stub.calls[1][1].fields.contact.phone == "0574-1"


def test_adding_an_outlet(client: TestClient) -> None:
    stub = _permits(
        client,
        AddOutlet=lambda r: permits_pb2.Outlet(
            outlet_id=f"{r.uscc}-DW001",
            uscc=r.uscc,
            kind=r.kind,
            name=r.name,
            location=r.location,
            monitored_pollutants=r.monitored_pollutants,
        ),
    )
    body = dict(next(b for m, p, b in CHANGES if p.endswith("/outlets")))
    answer = client.post(f"/api/v1/enterprises/{USCC}/outlets", json=body, headers=OFFICER)
    assert answer.status_code == 201, answer.text
    assert answer.json()["outlet_id"] == OUTLET and answer.json()["kind"] == "wastewater"
    assert answer.json()["location"] == {"lat": 30.17, "lon": 121.27}
    request = stub.calls[0][1]
    assert request.kind == permits_pb2.OUTLET_KIND_WASTEWATER and list(request.monitored_pollutants) == [
        "COD"
    ]


# Bad input the gateway refuses itself, before calling anyone: (method, path, body, message start).
REFUSED = [
    ("POST", "/api/v1/permits", {**APPLICATION, "applied_on": "2026-02-30"}, "applied_on: must be a date"),
    ("POST", "/api/v1/permits", {"uscc": USCC, "reason": "x"}, "outlets: Field required"),
    (
        "POST",
        "/api/v1/permits",
        {**APPLICATION, "outlets": [{"outlet_id": OUTLET, "limits": [{"parameter": "COD"}]}]},
        "outlets.0.limits.0.concentration_limit: Field required",
    ),
    ("POST", "/api/v1/permits/P-1/issue", {"valid_from": "tomorrow"}, "valid_from: must be a date"),
    ("POST", "/api/v1/eia", {**EIA, "document_type": "memo"}, "document_type: must be one of"),
    ("POST", "/api/v1/eia", {**EIA, "project_name": "a\u0000b"}, "project_name:"),
    ("POST", "/api/v1/radiation-permits", {**RADIATION, "valid_from": "2026-13-01"}, "valid_from: must be"),
    ("PUT", "/api/v1/rights/COD/cap", {"cap_tonnes": 10}, "reason: Field required"),
    # JSON's parser in Python takes NaN, and 1e999 as infinity: never sent on.
    ("PUT", "/api/v1/rights/COD/cap", '{"cap_tonnes": NaN, "reason": "x"}', "cap_tonnes:"),
    (
        "POST",
        "/api/v1/rights/COD/returns",
        f'{{"uscc": "{USCC}", "tonnes": 1e999, "reason": "x"}}',
        "tonnes:",
    ),
    ("POST", "/api/v1/rights/COD/allocations", {"uscc": USCC, "tonnes": 1, "reason": ""}, "reason:"),
    ("POST", "/api/v1/rights/COD/transfers", {"from_uscc": USCC, "tonnes": 1, "reason": "x"}, "to_uscc:"),
    ("POST", "/api/v1/rights/COD/returns", {"uscc": USCC, "tonnes": "many", "reason": "x"}, "tonnes:"),
    ("PATCH", f"/api/v1/enterprises/{USCC}", {}, "body: name at least one field to change"),
    ("PATCH", f"/api/v1/enterprises/{USCC}", {"lat": 30.1}, "lon: required with the other coordinate"),
    ("PATCH", f"/api/v1/enterprises/{USCC}", {"permit_class": "big"}, "permit_class: must be one of"),
    ("PATCH", f"/api/v1/enterprises/{USCC}", {"risk_flags": ["x"]}, "risk_flags[0]: must be one of"),
    (
        "POST",
        f"/api/v1/enterprises/{USCC}/outlets",
        {"kind": "river", "name": "总排口", "lat": 30.1, "lon": 121.2},
        "kind: must be one of",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "message"), REFUSED)
def test_bad_input_is_a_400_naming_the_field_and_calls_nobody(
    client: TestClient, method: str, path: str, body: dict[str, Any] | str, message: str
) -> None:
    stub = _permits(client)
    if isinstance(body, str):  # JSON text httpx would not write (NaN)
        headers = {**OFFICER, "Content-Type": "application/json"}
        answer = client.request(method, path, content=body.encode(), headers=headers)
    else:
        answer = client.request(method, path, json=body, headers=OFFICER)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "INVALID_ARGUMENT" and answer.json()["message"].startswith(message)
    assert stub.calls == []


def test_the_services_refusal_names_the_field_as_sent(client: TestClient) -> None:
    def refuse(request: Any) -> Any:
        raise FakeRpcError(
            grpc.StatusCode.INVALID_ARGUMENT,
            "outlets[0].limits[0].parameter: 'SO2' is not a wastewater outlet parameter; known: COD",
        )

    _permits(client, ApplyPermit=refuse)
    body = {**APPLICATION, "outlets": [{"outlet_id": OUTLET, "limits": [_limit("SO2")]}]}
    answer = client.post("/api/v1/permits", json=body, headers=OFFICER)
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("outlets[0].limits[0].parameter: 'SO2'")


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
def test_only_permit_officers_and_admins_change_permits_rights_and_the_registry(
    client: TestClient, method: str, path: str, body: dict[str, Any]
) -> None:
    stub = _permits(client)  # every call answers UNAVAILABLE: 503 once a role is let through
    for role in roles.ROLES:
        status = client.request(method, path, json=body, headers=_headers(role)).status_code
        assert status == (503 if role in ROLES_ALLOWED else 403), (role, status)
    assert len(stub.calls) == len(ROLES_ALLOWED)
    assert client.request(method, path, json=body).status_code == 401


def test_a_page_of_permits_refuses_a_field_the_contract_does_not_name(client: TestClient) -> None:
    """The answers are the contract's fields, no more: an extra field fails the answer, not the
    document (gateway.proto_json.model_of)."""
    from gateway.routers import permit_models

    permit = {"permit_number": "P-1", "surprise": 1}
    with pytest.raises(ValueError, match="surprise"):
        permit_models.PermitsOut(permits=[permit], next_page_token="", total=1)
    page = common_pb2.PageInfo(total=1)
    _permits(
        client,
        ListPermits=lambda r: permits_pb2.ListPermitsResponse(
            permits=[permits_pb2.Permit(permit_number="P-1")], page=page
        ),
    )
    listed = client.get("/api/v1/permits", headers=OFFICER).json()
    assert set(listed) == {"permits", "next_page_token", "total"}
    assert set(listed["permits"][0]) == {f.name for f in permits_pb2.Permit.DESCRIPTOR.fields}
