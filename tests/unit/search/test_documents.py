"""Events to search documents: deterministic ids, public fields only, partial updates."""

from __future__ import annotations

from eco.v1 import common_pb2, evaluation_pb2, monitoring_pb2, permits_pb2
from gateway.search import documents
from gateway.search.documents import StationAlarm, Upsert

SUMMARY = permits_pb2.EnterpriseSummary(
    uscc="91330282MA2AAAAA1X",
    name="慈溪市宗汉电镀厂",
    industry_code="C3360",
    address="宗汉街道",
    town="宗汉",
    grid="宗汉-01",
    location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
    permit_class=common_pb2.PERMIT_CLASS_KEY,
)

ENTERPRISE_DOC_KEYS = {"kind", "ref", "title", "body", "town", "grid", "location", "props"}
ENTERPRISE_PROPS = {"uscc", "name", "industry_code", "address", "town", "grid", "permit_class", "risk_flags"}


def test_an_enterprise_document_holds_the_public_summary_and_nothing_else() -> None:
    event = permits_pb2.EnterpriseUpdated(enterprise=SUMMARY, changed_fields=["contact.phone", "name"])
    [op] = documents.BUILDERS["EnterpriseUpdated"](event)
    assert isinstance(op, Upsert) and op.doc_id == "enterprise:91330282MA2AAAAA1X"
    assert set(op.doc) == ENTERPRISE_DOC_KEYS and set(op.doc["props"]) == ENTERPRISE_PROPS
    assert "contact" not in str(op.doc)
    assert op.doc["location"] == {"lat": 30.2, "lon": 121.3}
    assert op.doc["props"]["permit_class"] == "key"


def test_the_same_event_gives_the_same_operations() -> None:
    event = permits_pb2.EnterpriseRegistered(enterprise=SUMMARY)
    assert documents.enterprise(event) == documents.enterprise(event)


def test_an_unset_location_is_left_out_rather_than_put_at_0_0() -> None:
    event = permits_pb2.EnterpriseRegistered(enterprise=permits_pb2.EnterpriseSummary(uscc="U", name="n"))
    [op] = documents.enterprise(event)
    assert isinstance(op, Upsert) and "location" not in op.doc and "town" not in op.doc


def test_a_permit_event_writes_the_permit_and_the_enterprises_status() -> None:
    event = permits_pb2.PermitSuspended(uscc="U1", permit_number="P-1", case_id="C1")
    permit_op, enterprise_op = documents.BUILDERS["PermitSuspended"](event)
    assert isinstance(permit_op, Upsert) and isinstance(enterprise_op, Upsert)
    assert permit_op.doc_id == "permit:P-1" and permit_op.place_from == "U1"
    assert permit_op.doc["status"] == "suspended"
    assert enterprise_op.doc == {
        "status": "suspended",
        "props": {"permit_status": "suspended", "permit_number": "P-1"},
    }


def test_a_reinstated_permit_takes_the_status_it_carries() -> None:
    event = permits_pb2.PermitReinstated(
        uscc="U1",
        permit_number="P-1",
        status=permits_pb2.PERMIT_STATUS_RENEWED,
        valid_until=common_pb2.Date(year=2030, month=1, day=2),
    )
    permit_op, _ = documents.permit(event)
    assert isinstance(permit_op, Upsert)
    assert permit_op.doc["status"] == "renewed" and permit_op.doc["props"]["valid_until"] == "2030-01-02"


def test_a_credit_change_is_a_partial_enterprise_document() -> None:
    [op] = documents.credit(evaluation_pb2.CreditChanged(uscc="U1", level=common_pb2.CREDIT_LEVEL_YELLOW))
    assert isinstance(op, Upsert)
    assert op.doc == {"kind": "enterprise", "ref": "U1", "props": {"credit_level": "yellow"}}


def test_an_exceedance_opens_an_alarm_and_its_clearing_closes_it() -> None:
    x = monitoring_pb2.Exceedance(exceedance_id="E1", station_id="S1", parameter="NH3N", limit=1.0)
    detected = monitoring_pb2.ExceedanceDetected(
        exceedance=x,
        station_name="浒山断面",
        town="浒山",
        location=common_pb2.GeoPoint(lat=30.17, lon=121.27),
    )
    alarm, station = documents.exceedance_detected(detected)
    assert isinstance(alarm, Upsert) and alarm.doc_id == "alarm:exceedance:E1"
    assert alarm.doc["status"] == "open" and alarm.doc["town"] == "浒山"
    assert station == StationAlarm("station:S1", "exceedance:E1", opened=True)
    cleared, station_after = documents.exceedance_cleared(monitoring_pb2.ExceedanceCleared(exceedance=x))
    assert (
        isinstance(cleared, Upsert) and cleared.doc_id == alarm.doc_id and cleared.doc["status"] == "cleared"
    )
    assert station_after == StationAlarm("station:S1", "exceedance:E1", opened=False)


def test_a_closed_device_fault_is_a_cleared_alarm() -> None:
    fault = monitoring_pb2.Fault(fault_id="F1", station_id="S2", open=False)
    alarm, station = documents.device_fault(monitoring_pb2.DeviceFault(fault=fault))
    assert isinstance(alarm, Upsert) and alarm.doc["status"] == "cleared"
    assert station == StationAlarm("station:S2", "fault:F1", opened=False)


def test_a_new_station_starts_normal_only_if_nothing_is_known_of_it() -> None:
    station = monitoring_pb2.Station(
        station_id="S1", name="浒山断面", type=monitoring_pb2.STATION_TYPE_WATER_SECTION
    )
    [op] = documents.station(monitoring_pb2.StationRegistered(station=station))
    assert isinstance(op, Upsert) and "status" not in op.doc
    assert op.defaults == {"status": "normal", "open_alarms": []}
    assert op.doc["props"]["station_type"] == "water_section"
