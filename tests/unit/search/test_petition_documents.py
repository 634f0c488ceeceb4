"""Petition, draw and inspection events to search documents: no personal data in a petition's
document (contact details written in the text are masked), deadlines and status follow the events,
a draw is named by its plan and lists its selection, a published result is placed by its event; the
new kinds are facets and the petitions layer is live."""

from __future__ import annotations

from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2
from eco.v1 import enforcement_pb2 as pb
from gateway.search import documents, filters, index, petition_documents, query
from gateway.search.documents import Op, Upsert

RECEIVED = Timestamp(seconds=1_772_416_800)
PETITION = pb.Petition(
    petition_id="pet-1",
    tracking_code="XF20260302ABCD",
    uscc="91330282MA2DYE01XX",
    source="code_page",
    category="noise",
    text="厂里夜间冲床噪声很大，吵得睡不着。我的电话 138 0013 8000，邮箱 wang@example.cn",
    contact="王先生 13900139000",
    location=common_pb2.GeoPoint(lat=30.17, lon=121.26),
    town="浒山",
    grid_id="hs",
    status=pb.PETITION_STATUS_RECEIVED,
    received_at=RECEIVED,
    accept_due_at=Timestamp(seconds=RECEIVED.seconds + 15 * 86400),
    owner=pb.Assignee(department="bureau", user="zhou.li"),
)


def _apply(docs: dict[str, dict[str, Any]], ops: list[Op]) -> None:
    """What the indexer does with an upsert: create from defaults + doc, else merge doc (one level)."""
    for op in ops:
        assert isinstance(op, Upsert)
        if op.doc_id not in docs:
            docs[op.doc_id] = {**op.defaults, **op.doc}
            continue
        current = docs[op.doc_id]
        for key, value in op.doc.items():
            current[key] = {**current.get(key, {}), **value} if isinstance(value, dict) else value


def test_a_petition_document_has_no_contact_tracking_code_or_handler() -> None:
    [op] = documents.BUILDERS["PetitionReceived"](pb.PetitionReceived(petition=PETITION))
    assert isinstance(op, Upsert) and op.doc_id == "petition:pet-1"
    doc = op.doc
    assert doc["kind"] == "petition" and doc["status"] == "received" and doc["town"] == "浒山"
    assert doc["grid"] == "hs" and doc["location"] == {"lat": 30.17, "lon": 121.26}
    assert doc["time"] == "2026-03-02T02:00:00Z"
    assert doc["props"]["accept_due_at"] == "2026-03-17T02:00:00Z"
    assert "冲床噪声" in doc["body"] and "噪声" in doc["title"]
    flat = str(doc)
    for private in ("13900139000", "王先生", "XF20260302ABCD", "zhou.li", "138", "8000", "wang@example"):
        assert private not in flat, private
    assert petition_documents.MASK in doc["body"]


def test_the_summary_masks_numbers_and_addresses_but_keeps_codes_and_short_figures() -> None:
    summary = petition_documents.summary
    assert summary("电话+86-139-0013-9000") == "电话＊＊＊"
    assert summary("身份证33028219800101123X 举报") == "身份证＊＊＊ 举报"
    assert summary("座机0574 63000000") == "座机＊＊＊"
    assert summary("联系 a.b@c.com 谢谢") == "联系 ＊＊＊ 谢谢"
    # A USCC is a code, COD 120 a figure: both stay findable.
    assert summary("91330282MA2DYE01XX 排放 COD 120") == "91330282MA2DYE01XX 排放 COD 120"
    long = summary("污" * 1000)
    assert len(long) == petition_documents.SUMMARY_CHARS and long.endswith("…")


def test_status_escalation_and_closing_follow_the_events_in_order() -> None:
    docs: dict[str, dict[str, Any]] = {}
    _apply(docs, documents.BUILDERS["PetitionReceived"](pb.PetitionReceived(petition=PETITION)))
    escalated = pb.PetitionEscalated(
        petition_id="pet-1",
        status=pb.PETITION_STATUS_RECEIVED,
        escalation_level=1,
        due_at=PETITION.accept_due_at,
    )
    _apply(docs, documents.BUILDERS["PetitionEscalated"](escalated))
    assert docs["petition:pet-1"]["props"]["overdue"] is True
    assert docs["petition:pet-1"]["props"]["escalation_level"] == 1
    accepted = pb.Petition()
    accepted.CopyFrom(PETITION)
    accepted.status = pb.PETITION_STATUS_ACCEPTED
    accepted.handle_due_at.seconds = RECEIVED.seconds + 70 * 86400
    changed = pb.PetitionStatusChanged(petition=accepted, previous_status=pb.PETITION_STATUS_RECEIVED)
    _apply(docs, documents.BUILDERS["PetitionStatusChanged"](changed))
    assert docs["petition:pet-1"]["status"] == "accepted"
    assert docs["petition:pet-1"]["props"]["handle_due_at"].startswith("2026-05-11")
    closed = pb.PetitionClosed(petition_id="pet-1", substantiated=True, on_time=True, closed_at=RECEIVED)
    _apply(docs, documents.BUILDERS["PetitionClosed"](closed))
    doc = docs["petition:pet-1"]
    assert doc["status"] == "closed" and doc["props"]["substantiated"] is True
    assert doc["props"]["on_time"] is True and doc["props"]["overdue"] is False


def test_a_draw_is_named_by_its_plan_and_lists_what_it_selected() -> None:
    made = pb.DrawMade(
        draw=pb.Draw(
            draw_id="d-1",
            plan_id="plan-1",
            seed="ab" * 32,
            algorithm="sha256-rank-v1",
            inputs_sha256="cd" * 32,
            units=[pb.DrawUnit(uscc="U1"), pb.DrawUnit(uscc="U2"), pb.DrawUnit(uscc="U3")],
            selections=[pb.DrawSelection(uscc="U2", inspector_ids=["I-1", "I-2"], task_id="t-2")],
            drawn_at=RECEIVED,
        ),
        plan=pb.InspectionPlan(
            name="2026年第一季度双随机抽查",
            starts_on=common_pb2.Date(year=2026, month=1, day=1),
            ends_on=common_pb2.Date(year=2026, month=3, day=31),
            towns=["浒山"],
        ),
    )
    [op] = documents.BUILDERS["DrawMade"](made)
    assert isinstance(op, Upsert) and op.doc_id == "draw:d-1"
    doc = op.doc
    assert doc["kind"] == "draw" and doc["title"].startswith("2026年第一季度双随机抽查")
    assert doc["town"] == "浒山" and doc["status"] == "drawn" and doc["time"] == "2026-03-02T02:00:00Z"
    assert "U2" in doc["body"] and "U1" not in doc["body"] and doc["props"]["units"] == 3
    assert doc["props"]["ends_on"] == "2026-03-31" and "I-1" not in str(doc)


def test_a_published_result_is_placed_by_its_event_with_its_outcome_as_status() -> None:
    published = pb.InspectionPublished(
        task_id="t-2",
        draw_id="d-1",
        uscc="U2",
        outcome=pb.INSPECTION_OUTCOME_VIOLATION,
        findings="雨污混排，废水直排雨水管",
        inspected_at=RECEIVED,
        enterprise_name="慈溪市浒山印染有限公司",
        town="浒山",
        grid_id="hs",
        location=common_pb2.GeoPoint(lat=30.17, lon=121.26),
    )
    [op] = documents.BUILDERS["InspectionPublished"](published)
    assert isinstance(op, Upsert) and op.doc_id == "inspection:t-2" and not op.place_from
    doc = op.doc
    assert doc["kind"] == "inspection" and doc["status"] == "violation" and doc["grid"] == "hs"
    assert doc["title"] == "慈溪市浒山印染有限公司 双随机抽查结果" and "雨污混排" in doc["body"]
    assert doc["location"] == {"lat": 30.17, "lon": 121.26} and doc["town"] == "浒山"


def test_the_new_kinds_are_facets_and_the_petitions_layer_is_live() -> None:
    assert {"petition", "inspection", "draw"} <= set(index.KINDS)
    body = query.search_body("噪声", kind="inspection")
    assert body["post_filter"] == {"term": {"kind": "inspection"}}
    assert body["aggs"]["kinds"]["terms"]["size"] == len(index.KINDS)
    assert query.LAYER_KINDS["petitions"] == "petition" and "petitions" not in query.PENDING_LAYERS
    layer = query.map_body("petitions", bbox=None)
    assert layer["query"]["bool"]["must_not"] == [{"term": {"status": "closed"}}]


def test_kinds_a_role_may_not_read_leave_the_hits_and_the_counts() -> None:
    readers = {"petition": ("admin", "officer", "grid", "inspector")}  # legacy names too
    assert filters.hidden_for("viewer", readers) == ("petition",)
    assert filters.hidden_for("evaluator", readers) == ("petition",)
    assert filters.hidden_for("dispatcher", readers) == ()
    assert filters.hidden_for("grid_commissioner", readers) == ()
    body = query.search_body("噪声", filters=filters.SearchFilters(hidden_kinds=("petition",)))
    assert {"bool": {"must_not": [{"terms": {"kind": ["petition"]}}]}} in body["query"]["bool"]["filter"]
