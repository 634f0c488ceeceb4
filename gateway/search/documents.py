"""Events to search documents: pure functions, one per event type, no I/O.

Each event becomes a few operations on documents keyed by "<kind>:<natural id>", so a redelivered
or replayed event writes the same document again. Partial documents merge field by field, so events
of different topics (a CreditChanged before its EnterpriseRegistered) commute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message

from eco.v1 import common_pb2, evaluation_pb2, monitoring_pb2, permits_pb2
from gateway.search import enforcement_documents, inspection_documents, petition_documents, risk_documents
from gateway.search.document_ops import Op, StationAlarm, Upsert, doc_id, enum_name
from gateway.search.document_ops import date_text as _date
from gateway.search.document_ops import place as _place
from gateway.search.document_ops import text as _text
from gateway.search.document_ops import time_text as _time

__all__ = ["BUILDERS", "Op", "StationAlarm", "Upsert", "doc_id", "enum_name"]


def enterprise(payload: Message) -> list[Op]:
    """EnterpriseRegistered / EnterpriseUpdated: the public summary only (contacts never reach the index)."""
    assert isinstance(payload, permits_pb2.EnterpriseRegistered | permits_pb2.EnterpriseUpdated)
    e = payload.enterprise
    props = {
        "uscc": e.uscc,
        "name": e.name,
        "industry_code": e.industry_code,
        "address": e.address,
        "town": e.town,
        "grid": e.grid,
        "permit_class": enum_name(common_pb2.PermitClass, e.permit_class, "PERMIT_CLASS_"),
        "risk_flags": [enum_name(permits_pb2.RiskFlag, f, "RISK_FLAG_") for f in e.risk_flags],
    }
    doc = {
        "kind": "enterprise",
        "ref": e.uscc,
        "title": e.name,
        "body": _text(e.address, e.industry_code, e.grid, e.uscc),
        **_place(e.town, e.location),
        **({"grid": e.grid} if e.grid else {}),
        "props": props,
    }
    return [Upsert(doc_id("enterprise", e.uscc), doc)]


# Permit events and the status each leaves the permit in (PermitReinstated carries its own).
PERMIT_STATUS = {
    "PermitIssued": "issued",
    "PermitRenewed": "renewed",
    "PermitExpired": "expired",
    "PermitRevoked": "revoked",
    "PermitSuspended": "suspended",
    "PermitRejected": "rejected",
    "PermitWithdrawn": "withdrawn",
}


def permit(payload: Message) -> list[Op]:
    """A permit event: the permit's document and the enterprise's latest permit status."""
    name = payload.DESCRIPTOR.name
    if isinstance(payload, permits_pb2.PermitReinstated):
        status = enum_name(permits_pb2.PermitStatus, payload.status, "PERMIT_STATUS_") or "issued"
    else:
        status = PERMIT_STATUS[name]
    uscc: str = payload.uscc  # type: ignore[attr-defined]
    number: str = payload.permit_number  # type: ignore[attr-defined]
    props: dict[str, Any] = {"permit_number": number, "uscc": uscc, "status": status}
    for date_field in ("valid_from", "valid_until"):
        if date_field in payload.DESCRIPTOR.fields_by_name:
            value = _date(getattr(payload, date_field))
            if value:
                props[date_field] = value
    if "permit_class" in payload.DESCRIPTOR.fields_by_name:
        props["permit_class"] = enum_name(common_pb2.PermitClass, payload.permit_class, "PERMIT_CLASS_")  # type: ignore[attr-defined]
    permit_doc = {
        "kind": "permit",
        "ref": number,
        "title": f"排污许可证 {number}",
        "body": _text(uscc, status),
        "status": status,
        "props": props,
    }
    if props.get("valid_from"):
        permit_doc["time"] = props["valid_from"]
    on_enterprise = {"status": status, "props": {"permit_status": status, "permit_number": number}}
    return [
        Upsert(doc_id("permit", number), permit_doc, place_from=uscc),
        Upsert(doc_id("enterprise", uscc), on_enterprise),
    ]


def outlet(payload: Message) -> list[Op]:
    """OutletAdded: the outlet, placed in its enterprise's town."""
    assert isinstance(payload, permits_pb2.OutletAdded)
    o = payload.outlet
    kind = enum_name(permits_pb2.OutletKind, o.kind, "OUTLET_KIND_")
    doc = {
        "kind": "outlet",
        "ref": o.outlet_id,
        "title": _text(o.name, o.outlet_id),
        "body": _text(o.uscc, o.receiving_river, " ".join(o.monitored_pollutants)),
        **_place("", o.location),
        "props": {"outlet_id": o.outlet_id, "uscc": o.uscc, "outlet_kind": kind, "name": o.name},
    }
    return [Upsert(doc_id("outlet", o.outlet_id), doc, place_from=o.uscc)]


def credit(payload: Message) -> list[Op]:
    """CreditChanged: the colour on the enterprise's document (the document may not exist yet)."""
    assert isinstance(payload, evaluation_pb2.CreditChanged)
    level = enum_name(common_pb2.CreditLevel, payload.level, "CREDIT_LEVEL_")
    doc = {"kind": "enterprise", "ref": payload.uscc, "props": {"credit_level": level}}
    return [Upsert(doc_id("enterprise", payload.uscc), doc)]


def station(payload: Message) -> list[Op]:
    """StationRegistered: the station, "normal" until an alarm opens on it."""
    assert isinstance(payload, monitoring_pb2.StationRegistered)
    s = payload.station
    station_type = enum_name(monitoring_pb2.StationType, s.type, "STATION_TYPE_")
    river = s.water_section.river if s.HasField("water_section") else ""
    uscc = s.source.uscc if s.HasField("source") else s.electricity.uscc
    props = {"station_id": s.station_id, "name": s.name, "station_type": station_type}
    if uscc:
        props["uscc"] = uscc
    doc = {
        "kind": "station",
        "ref": s.station_id,
        "title": s.name,
        "body": _text(s.station_id, river, uscc, " ".join(p.code for p in s.parameters)),
        **_place(s.town, s.location),
        "props": props,
    }
    return [Upsert(doc_id("station", s.station_id), doc, defaults={"status": "normal", "open_alarms": []})]


def _alarm(ref: str, title: str, body: str, place: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    doc = {
        "kind": "alarm",
        "ref": ref,
        "title": title,
        "body": body,
        "status": "open",
        **place,
        "props": props,
    }
    if props.get("opened_at"):
        doc["time"] = props["opened_at"]  # the time-range filter's field
    return doc


def exceedance_detected(payload: Message) -> list[Op]:
    """ExceedanceDetected: an open alarm, and the station in alarm."""
    assert isinstance(payload, monitoring_pb2.ExceedanceDetected)
    x = payload.exceedance
    ref = f"exceedance:{x.exceedance_id}"
    props = {
        "alarm_kind": "exceedance",
        "station_id": x.station_id,
        "parameter": x.parameter,
        "limit": x.limit,
        "unit": x.unit,
        "max_value": x.max_value,
        "limit_basis": x.limit_basis,
        "opened_at": _time(x.opened_at),
        "uscc": x.uscc,
    }
    title = _text(payload.station_name or x.station_id, x.parameter, "超标")
    body = _text(x.station_id, payload.river, x.limit_basis, x.uscc)
    return [
        Upsert(doc_id("alarm", ref), _alarm(ref, title, body, _place(payload.town, payload.location), props)),
        StationAlarm(doc_id("station", x.station_id), ref, opened=True),
    ]


def exceedance_cleared(payload: Message) -> list[Op]:
    """ExceedanceCleared: the alarm closes (it leaves the map, stays searchable)."""
    assert isinstance(payload, monitoring_pb2.ExceedanceCleared)
    x = payload.exceedance
    ref = f"exceedance:{x.exceedance_id}"
    doc = {
        "status": "cleared",
        "props": {"cleared_at": _time(x.cleared_at), "cleared_reason": payload.reason},
    }
    return [
        Upsert(doc_id("alarm", ref), doc),
        StationAlarm(doc_id("station", x.station_id), ref, opened=False),
    ]


def device_fault(payload: Message) -> list[Op]:
    """DeviceFault: an alarm on the device, open while the fault is."""
    assert isinstance(payload, monitoring_pb2.DeviceFault)
    f = payload.fault
    ref = f"fault:{f.fault_id}"
    kind = enum_name(monitoring_pb2.FaultKind, f.kind, "FAULT_KIND_")
    props = {
        "alarm_kind": "device_fault",
        "station_id": f.station_id,
        "parameter": f.parameter,
        "fault_kind": kind,
        "opened_at": _time(f.opened_at),
        "uscc": payload.uscc,
    }
    doc = _alarm(
        ref,
        _text("设备故障", f.station_id, f.parameter),
        _text(f.detail, payload.uscc),
        _place(payload.town, payload.location),
        props,
    )
    doc["status"] = "open" if f.open else "cleared"
    return [
        Upsert(doc_id("alarm", ref), doc),
        StationAlarm(doc_id("station", f.station_id), ref, opened=f.open),
    ]


def treatment_idle(payload: Message) -> list[Op]:
    """TreatmentIdleWhileProducing: a suspected illegal-discharge alarm on the production line."""
    assert isinstance(payload, monitoring_pb2.TreatmentIdleWhileProducing)
    ref = f"idle:{payload.alarm_id}"
    props = {
        "alarm_kind": "treatment_idle",
        "station_id": payload.production_station_id,
        "uscc": payload.uscc,
        "opened_at": _time(payload.started_at),
        "duration_minutes": payload.duration_minutes,
    }
    title = _text("生产时治污设施停运", payload.production_line_id)
    body = _text(payload.uscc, payload.treatment_facility_id, payload.production_station_id)
    return [
        Upsert(doc_id("alarm", ref), _alarm(ref, title, body, _place(payload.town, payload.location), props)),
        StationAlarm(doc_id("station", payload.production_station_id), ref, opened=True),
    ]


# Event type -> document operations. Types not listed are acknowledged and skipped.
BUILDERS: dict[str, Callable[[Message], list[Op]]] = {
    "EnterpriseRegistered": enterprise,
    "EnterpriseUpdated": enterprise,
    "OutletAdded": outlet,
    "PermitReinstated": permit,
    **{name: permit for name in PERMIT_STATUS},
    "CreditChanged": credit,
    "StationRegistered": station,
    "ExceedanceDetected": exceedance_detected,
    "ExceedanceCleared": exceedance_cleared,
    "DeviceFault": device_fault,
    "TreatmentIdleWhileProducing": treatment_idle,
    **enforcement_documents.BUILDERS,
    **petition_documents.BUILDERS,
    **inspection_documents.BUILDERS,
    **risk_documents.BUILDERS,
}
