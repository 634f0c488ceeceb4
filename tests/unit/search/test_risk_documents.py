"""The risk service's events to search documents and map layers: hazards, emergencies, depots."""

from __future__ import annotations

from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, risk_pb2
from gateway.search import documents, indexer, query, risk_documents
from gateway.search.document_ops import Upsert

USCC = "91330282MA2PLAT01X"
PLACE = common_pb2.GeoPoint(lat=30.2, lon=121.3)


def _ts(text: str) -> Timestamp:
    ts = Timestamp()
    ts.FromJsonString(text)
    return ts


def _hazard(**fields: Any) -> risk_pb2.Hazard:
    base: dict[str, Any] = dict(
        hazard_id="hz-1",
        uscc=USCC,
        title="废液池防渗层破损",
        description="东侧池壁渗漏",
        grade=risk_pb2.HAZARD_GRADE_MAJOR,
        source=risk_pb2.HAZARD_SOURCE_INSPECTION,
        location=PLACE,
        town="宗汉",
        rectify_by=_ts("2026-04-30T09:00:00Z"),
        status=risk_pb2.HAZARD_STATUS_OPEN,
    )
    return risk_pb2.Hazard(**{**base, **fields})


def _one(ops: list[documents.Op]) -> Upsert:
    [op] = ops
    assert isinstance(op, Upsert)
    return op


def test_every_risk_builder_is_in_the_indexers_table() -> None:
    for event_type, build in risk_documents.BUILDERS.items():
        assert documents.BUILDERS[event_type] is build
        assert hasattr(risk_pb2, event_type)  # the name is a payload of risk.proto


def test_a_reported_hazard_is_a_document_with_its_status_grade_and_deadline() -> None:
    op = _one(documents.BUILDERS["HazardReported"](risk_pb2.HazardReported(hazard=_hazard())))
    assert op.doc_id == "hazard:hz-1" and op.place_from == USCC
    assert op.doc["kind"] == "hazard" and op.doc["status"] == "open" and op.doc["town"] == "宗汉"
    assert op.doc["location"] == {"lat": 30.2, "lon": 121.3}
    assert op.doc["props"]["grade"] == "major" and op.doc["props"]["overdue"] is False
    assert op.doc["props"]["rectify_by"] == "2026-04-30T09:00:00Z"
    assert "东侧池壁渗漏" in op.doc["body"]


def test_an_overdue_hazard_is_marked_and_a_closed_one_keeps_that_it_was_late() -> None:
    overdue = risk_pb2.HazardOverdue(
        hazard_id="hz-1", uscc=USCC, grade=risk_pb2.HAZARD_GRADE_GENERAL, town="宗汉", location=PLACE
    )
    op = _one(documents.BUILDERS["HazardOverdue"](overdue))
    assert op.doc_id == "hazard:hz-1" and op.doc["props"]["overdue"] is True
    assert op.place_from == ""  # the enterprise's site must not move a hazard located elsewhere
    assert "status" not in op.doc  # still open or rectified: the overdue event does not say which
    closed = risk_pb2.HazardClosed(
        hazard=_hazard(status=risk_pb2.HAZARD_STATUS_CLOSED, overdue=True), was_overdue=True
    )
    op = _one(documents.BUILDERS["HazardClosed"](closed))
    assert op.doc["status"] == "closed" and op.doc["props"]["closed_overdue"] is True


def test_an_emergency_is_declared_responded_to_regraded_and_closed() -> None:
    emergency = risk_pb2.Emergency(
        emergency_id="em-1",
        title="含铬废液泄漏",
        kind="chemical_leak",
        grade=risk_pb2.EMERGENCY_GRADE_IV,
        location=PLACE,
        town="宗汉",
        uscc=USCC,
        status=risk_pb2.EMERGENCY_STATUS_DECLARED,
    )
    declared = _one(documents.BUILDERS["EmergencyDeclared"](risk_pb2.EmergencyDeclared(emergency=emergency)))
    assert declared.doc_id == "emergency:em-1" and declared.doc["status"] == "declared"
    assert (
        declared.doc["props"]["grade"] == "IV" and declared.doc["props"]["emergency_kind"] == "chemical_leak"
    )
    order = risk_pb2.DispatchOrder(dispatch_id="dp-1", emergency_id="em-1")
    dispatched = _one(documents.BUILDERS["SuppliesDispatched"](risk_pb2.SuppliesDispatched(order=order)))
    assert dispatched.doc_id == "emergency:em-1" and dispatched.doc["status"] == "responding"
    regraded = risk_pb2.EmergencyRegraded(emergency_id="em-1", grade=risk_pb2.EMERGENCY_GRADE_III)
    assert _one(documents.BUILDERS["EmergencyRegraded"](regraded)).doc["props"] == {"grade": "III"}
    emergency.status = risk_pb2.EMERGENCY_STATUS_CLOSED
    closed = _one(documents.BUILDERS["EmergencyClosed"](risk_pb2.EmergencyClosed(emergency=emergency)))
    assert closed.doc["status"] == "closed"


def _line(code: str, value: float, minimum: float) -> risk_pb2.StockLine:
    return risk_pb2.StockLine(
        amount=risk_pb2.SupplyAmount(item_code=code, quantity=common_pb2.Quantity(value=value, unit="kg")),
        minimum=common_pb2.Quantity(value=minimum, unit="kg"),
    )


def _depot_doc_after(*events: Any) -> dict[str, Any]:
    """The depot document after the events, merged and derived as the indexer does."""
    doc: dict[str, Any] = {}
    for event in events:
        op = _one(documents.BUILDERS[type(event).__name__](event))
        assert op.derive is not None
        change = indexer.merged(op.doc, op.derive(indexer.merged(doc, op.doc)))
        doc = indexer.merged(doc, change)
    return doc


def test_a_depot_is_low_while_an_item_is_below_its_minimum() -> None:
    depot = risk_pb2.SupplyDepot(
        depot_id="d-1",
        name="宗汉应急物资库",
        location=PLACE,
        town="宗汉",
        active=True,
        stock=[_line("activated_carbon", 500, 200), _line("absorbent", 80, 50)],
    )
    changed = risk_pb2.DepotChanged(depot=depot)
    assert _depot_doc_after(changed)["status"] == "ok"
    taken = risk_pb2.StockChanged(
        depot_id="d-1", item_code="activated_carbon", quantity=common_pb2.Quantity(value=150, unit="kg")
    )
    low = _depot_doc_after(changed, taken)
    assert low["status"] == "low" and low["props"]["low_items"] == ["activated_carbon"]
    assert low["props"]["stock"]["activated_carbon"] == {
        "quantity": 150,
        "unit": "kg",
        "name": "",
        "minimum": 200,
        "reserved": 0,
    }
    restocked = risk_pb2.StockChanged(
        depot_id="d-1", item_code="activated_carbon", quantity=common_pb2.Quantity(value=350, unit="kg")
    )
    back = _depot_doc_after(changed, taken, restocked)
    assert back["status"] == "ok" and back["props"]["low_items"] == []


def test_stock_low_alone_makes_a_depot_low() -> None:
    event = risk_pb2.StockLow(
        depot_id="d-2",
        depot_name="观海卫物资库",
        town="观海卫",
        amount=risk_pb2.SupplyAmount(item_code="sandbag", quantity=common_pb2.Quantity(value=10, unit="pcs")),
        minimum=common_pb2.Quantity(value=100, unit="pcs"),
    )
    doc = _depot_doc_after(event)
    assert (
        doc["status"] == "low" and doc["title"] == "观海卫物资库" and doc["props"]["low_items"] == ["sandbag"]
    )


def test_the_risk_level_lands_on_the_enterprise_document() -> None:
    changed = risk_pb2.RiskLevelChanged(uscc=USCC, level=risk_pb2.RISK_LEVEL_MAJOR)
    op = _one(documents.BUILDERS["RiskLevelChanged"](changed))
    assert op.doc_id == f"enterprise:{USCC}" and op.doc["props"] == {"risk_level": "major"}
    assessed = risk_pb2.RiskAssessed(
        assessment=risk_pb2.RiskAssessment(uscc=USCC, code="一般[一般-大气(Q0)+一般-水(Q0)]")
    )
    assert _one(documents.BUILDERS["RiskAssessed"](assessed)).doc["props"] == {
        "risk_code": "一般[一般-大气(Q0)+一般-水(Q0)]"
    }


def test_the_risk_layers_are_live_and_hide_what_is_closed() -> None:
    for layer, kind in (("hazards", "hazard"), ("emergencies", "emergency"), ("depots", "depot")):
        assert layer in query.LAYERS and layer not in query.PENDING_LAYERS
        body = query.map_body(layer, bbox=None)
        assert {"term": {"kind": kind}} in body["query"]["bool"]["filter"]
    assert query.map_body("hazards", bbox=None)["query"]["bool"]["must_not"] == [
        {"term": {"status": "closed"}}
    ]
    asked = query.map_body("hazards", bbox=None, status="closed")["query"]["bool"]
    assert {"term": {"status": "closed"}} in asked["filter"] and "must_not" not in asked
    depots = query.map_body("depots", bbox=None, status="low")["query"]["bool"]
    assert {"term": {"status": "low"}} in depots["filter"]
    assert "must_not" not in query.map_body("depots", bbox=None)["query"]["bool"]


def test_merged_follows_elasticsearchs_partial_update() -> None:
    base = {"status": "ok", "props": {"stock": {"a": {"quantity": 1, "minimum": 2}}, "active": True}}
    change = {"props": {"stock": {"a": {"quantity": 5}, "b": {"quantity": 1}}}}
    assert indexer.merged(base, change) == {
        "status": "ok",
        "props": {"stock": {"a": {"quantity": 5, "minimum": 2}, "b": {"quantity": 1}}, "active": True},
    }
