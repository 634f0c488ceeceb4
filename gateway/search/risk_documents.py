"""The risk service's events to search documents: hidden hazards, emergencies and supply depots (the
map's "hazards", "emergencies" and "depots" layers), and the risk level on the enterprise's document.

Pure functions, one per event type, in the style of gateway.search.documents; merged into
documents.BUILDERS (the shared building blocks are in gateway.search.document_ops). What the map
shows of each: a hazard's status, grade and whether it is overdue; an emergency's status and grade;
a depot's stock per item and whether any item is below its minimum.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message

from eco.v1 import common_pb2, risk_pb2
from gateway.search.document_ops import Op, Upsert, doc_id, enum_name
from gateway.search.document_ops import place as _place
from gateway.search.document_ops import text as _text
from gateway.search.document_ops import time_text as _time


def _grade(value: int) -> str:
    # Emergency grades as the national plan (2014) writes them: I (特别重大) .. IV (一般).
    return enum_name(risk_pb2.EmergencyGrade, value, "EMERGENCY_GRADE_").upper()


# ------------------------------------------------------------------------------------------ hazards


def _hazard_doc(h: risk_pb2.Hazard) -> dict[str, Any]:
    props = {
        "hazard_id": h.hazard_id,
        "uscc": h.uscc,
        "grade": enum_name(risk_pb2.HazardGrade, h.grade, "HAZARD_GRADE_"),
        "source": enum_name(risk_pb2.HazardSource, h.source, "HAZARD_SOURCE_"),
        "rectify_by": _time(h.rectify_by),
        "overdue": h.overdue,
        "overdue_since": _time(h.overdue_since),
        "closed_at": _time(h.closed_at),
    }
    return {
        "kind": "hazard",
        "ref": h.hazard_id,
        "title": h.title,
        "body": _text(h.description, h.required_measures, h.uscc),
        "status": enum_name(risk_pb2.HazardStatus, h.status, "HAZARD_STATUS_"),
        **_place(h.town, h.location),
        "props": props,
    }


def hazard(payload: Message) -> list[Op]:
    """HazardReported / HazardUpdated / HazardClosed: the hazard as it now is (placed at the enterprise
    when the event has no location of its own)."""
    assert isinstance(payload, risk_pb2.HazardReported | risk_pb2.HazardUpdated | risk_pb2.HazardClosed)
    h = payload.hazard
    doc = _hazard_doc(h)
    if isinstance(payload, risk_pb2.HazardClosed):
        doc["props"]["closed_overdue"] = payload.was_overdue
    return [Upsert(doc_id("hazard", h.hazard_id), doc, place_from=h.uscc)]


def hazard_overdue(payload: Message) -> list[Op]:
    """HazardOverdue: the hazard is marked overdue (its deadline passed unrectified)."""
    assert isinstance(payload, risk_pb2.HazardOverdue)
    props = {
        "hazard_id": payload.hazard_id,
        "uscc": payload.uscc,
        "grade": enum_name(risk_pb2.HazardGrade, payload.grade, "HAZARD_GRADE_"),
        "rectify_by": _time(payload.rectify_by),
        "overdue": True,
    }
    doc = {
        "kind": "hazard",
        "ref": payload.hazard_id,
        **_place(payload.town, payload.location),
        "props": props,
    }
    if payload.title:
        doc["title"] = payload.title
    # No place_from: the hazard's document has its place since HazardReported; the enterprise's site
    # must not overwrite a hazard located elsewhere on it.
    return [Upsert(doc_id("hazard", payload.hazard_id), doc)]


# -------------------------------------------------------------------------------------- emergencies


def _emergency_doc(e: risk_pb2.Emergency) -> dict[str, Any]:
    props = {
        "emergency_id": e.emergency_id,
        "grade": _grade(e.grade),
        "emergency_kind": e.kind,
        "uscc": e.uscc,
        "radius_m": e.radius_m,
        "declared_at": _time(e.declared_at),
        "closed_at": _time(e.closed_at),
    }
    return {
        "kind": "emergency",
        "ref": e.emergency_id,
        "title": e.title,
        "body": _text(e.kind, e.description, e.summary, e.uscc),
        "status": enum_name(risk_pb2.EmergencyStatus, e.status, "EMERGENCY_STATUS_"),
        **_place(e.town, e.location),
        "props": props,
    }


def emergency(payload: Message) -> list[Op]:
    """EmergencyDeclared / EmergencyClosed: the emergency as it now is."""
    assert isinstance(payload, risk_pb2.EmergencyDeclared | risk_pb2.EmergencyClosed)
    e = payload.emergency
    return [Upsert(doc_id("emergency", e.emergency_id), _emergency_doc(e))]


def emergency_regraded(payload: Message) -> list[Op]:
    """EmergencyRegraded: the new grade."""
    assert isinstance(payload, risk_pb2.EmergencyRegraded)
    doc = {"kind": "emergency", "ref": payload.emergency_id, "props": {"grade": _grade(payload.grade)}}
    return [Upsert(doc_id("emergency", payload.emergency_id), doc)]


def supplies_dispatched(payload: Message) -> list[Op]:
    """SuppliesDispatched: the emergency is being responded to (its supplies are on the way)."""
    assert isinstance(payload, risk_pb2.SuppliesDispatched)
    ref = payload.order.emergency_id
    doc = {
        "kind": "emergency",
        "ref": ref,
        "status": "responding",
        "props": {"last_dispatch_id": payload.order.dispatch_id, "unmet": len(payload.order.unmet) > 0},
    }
    return [Upsert(doc_id("emergency", ref), doc)]


# ------------------------------------------------------------------------------------------- depots


def depot_status(merged: dict[str, Any]) -> dict[str, Any]:
    """A depot's computed fields from its whole document: the items below their minimum and the
    status the map filters on ("low" if any, "ok" otherwise, "inactive" for a closed depot)."""
    props = merged.get("props", {})
    stock: dict[str, dict[str, Any]] = props.get("stock", {})
    low = sorted(
        code
        for code, line in stock.items()
        if line.get("minimum", 0) > 0 and line.get("quantity", 0) < line.get("minimum", 0)
    )
    active = props.get("active", True)
    return {"status": "inactive" if not active else ("low" if low else "ok"), "props": {"low_items": low}}


def _quantity(q: common_pb2.Quantity) -> dict[str, Any]:
    return {"quantity": q.value, "unit": q.unit} if q.unit else {"quantity": q.value}


def depot(payload: Message) -> list[Op]:
    """DepotChanged: the depot, its stock per item and minimums (the low items follow)."""
    assert isinstance(payload, risk_pb2.DepotChanged)
    d = payload.depot
    stock = {
        line.amount.item_code: {
            **_quantity(line.amount.quantity),
            "name": line.amount.item_name,
            "minimum": line.minimum.value,
            "reserved": line.reserved.value,
        }
        for line in d.stock
    }
    doc = {
        "kind": "depot",
        "ref": d.depot_id,
        "title": d.name,
        "body": _text(d.department, d.contact, " ".join(stock)),
        **_place(d.town, d.location),
        "props": {"depot_id": d.depot_id, "department": d.department, "active": d.active, "stock": stock},
    }
    return [Upsert(doc_id("depot", d.depot_id), doc, derive=depot_status)]


def stock_changed(payload: Message) -> list[Op]:
    """StockChanged: one item's quantity at the depot (restock, write-off, dispatch or return)."""
    assert isinstance(payload, risk_pb2.StockChanged)
    doc = {
        "kind": "depot",
        "ref": payload.depot_id,
        "props": {"stock": {payload.item_code: _quantity(payload.quantity)}},
    }
    return [Upsert(doc_id("depot", payload.depot_id), doc, derive=depot_status)]


def stock_low(payload: Message) -> list[Op]:
    """StockLow: the item fell below its minimum (its quantity and minimum as the service saw them)."""
    assert isinstance(payload, risk_pb2.StockLow)
    line = {**_quantity(payload.amount.quantity), "minimum": payload.minimum.value}
    doc = {
        "kind": "depot",
        "ref": payload.depot_id,
        **({"title": payload.depot_name} if payload.depot_name else {}),
        **({"town": payload.town} if payload.town else {}),
        "props": {"stock": {payload.amount.item_code: line}},
    }
    return [Upsert(doc_id("depot", payload.depot_id), doc, derive=depot_status)]


# --------------------------------------------------------------------------------------- enterprises


def risk_level(payload: Message) -> list[Op]:
    """RiskLevelChanged: the enterprise's effective risk level (HJ 941-2018 levels, raised by events)."""
    assert isinstance(payload, risk_pb2.RiskLevelChanged)
    level = enum_name(risk_pb2.RiskLevel, payload.level, "RISK_LEVEL_")
    doc = {"kind": "enterprise", "ref": payload.uscc, "props": {"risk_level": level}}
    return [Upsert(doc_id("enterprise", payload.uscc), doc)]


def risk_assessed(payload: Message) -> list[Op]:
    """RiskAssessed: the assessment's written form on the enterprise's document."""
    assert isinstance(payload, risk_pb2.RiskAssessed)
    a = payload.assessment
    doc = {"kind": "enterprise", "ref": a.uscc, "props": {"risk_code": a.code}}
    return [Upsert(doc_id("enterprise", a.uscc), doc)]


# Event type -> document operations, merged into documents.BUILDERS.
BUILDERS: dict[str, Callable[[Message], list[Op]]] = {
    "HazardReported": hazard,
    "HazardUpdated": hazard,
    "HazardClosed": hazard,
    "HazardOverdue": hazard_overdue,
    "EmergencyDeclared": emergency,
    "EmergencyClosed": emergency,
    "EmergencyRegraded": emergency_regraded,
    "SuppliesDispatched": supplies_dispatched,
    "DepotChanged": depot,
    "StockChanged": stock_changed,
    "StockLow": stock_low,
    "RiskLevelChanged": risk_level,
    "RiskAssessed": risk_assessed,
}
