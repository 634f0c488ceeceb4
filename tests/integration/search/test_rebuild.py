"""Rebuilding the index by replaying the topics gives the same documents (DESIGN.md, Events)."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, evaluation_pb2, monitoring_pb2, permits_pb2
from eco.v1 import enforcement_pb2 as epb
from gateway import config
from gateway.search import rebuild
from shared.db import make_engine
from tests.integration.search.harness import SearchHarness, summary
from tests.support import infra

pytestmark = pytest.mark.integration

USCC = "91330282MA2REBU01X"
AT = Timestamp(seconds=1_772_416_800)
HERE = common_pb2.GeoPoint(lat=30.2, lon=121.3)


def _publish_enforcement(harness: SearchHarness) -> None:
    """A petition about the enterprise taken to its close, one about a place escalated, a draw and a
    published result: enforcement's keys (the enterprise, the petition, the draw)."""
    petition = epb.Petition(
        petition_id="PET-R1",
        uscc=USCC,
        category="air",
        text="重建化工厂夜里排放刺鼻废气",
        town="宗汉",
        grid_id="zh",
        location=HERE,
        status=epb.PETITION_STATUS_RECEIVED,
        received_at=AT,
    )
    harness.publish("enforcement", USCC, epb.PetitionReceived(petition=petition))
    petition.status = epb.PETITION_STATUS_ACCEPTED
    harness.publish(
        "enforcement",
        USCC,
        epb.PetitionStatusChanged(petition=petition, previous_status=epb.PETITION_STATUS_RECEIVED),
    )
    harness.publish(
        "enforcement", USCC, epb.PetitionClosed(petition_id="PET-R1", uscc=USCC, substantiated=True)
    )
    place = epb.Petition(
        petition_id="PET-R2",
        category="noise",
        text="河边工地夜间施工噪声",
        location=HERE,
        status=epb.PETITION_STATUS_RECEIVED,
        received_at=AT,
    )
    harness.publish("enforcement", "PET-R2", epb.PetitionReceived(petition=place))
    harness.publish(
        "enforcement",
        "PET-R2",
        epb.PetitionEscalated(petition_id="PET-R2", status=epb.PETITION_STATUS_RECEIVED, escalation_level=1),
    )
    draw = epb.Draw(
        draw_id="D-R1",
        plan_id="PLAN-R1",
        seed="ab" * 32,
        selections=[epb.DrawSelection(uscc=USCC, task_id="T-R1")],
        drawn_at=AT,
    )
    harness.publish(
        "enforcement", "D-R1", epb.DrawMade(draw=draw, plan=epb.InspectionPlan(name="重建季度抽查"))
    )
    result = epb.InspectionPublished(
        task_id="T-R1",
        draw_id="D-R1",
        uscc=USCC,
        outcome=epb.INSPECTION_OUTCOME_COMPLIANT,
        inspected_at=AT,
        enterprise_name="慈溪市重建化工厂",
        town="宗汉",
        location=HERE,
    )
    harness.publish("enforcement", USCC, result)


def _rebuild(harness: SearchHarness, es: Elasticsearch) -> bool:
    """Run the rebuild with the test's settings; True when done."""
    settings = config.load(harness.env)
    engine = make_engine(settings.base.database_url)
    try:
        rebuild.rebuild(
            engine,
            es,
            bootstrap_servers=settings.base.kafka_bootstrap_servers,
            index_prefix=settings.search_index_prefix,
            consumer_group=settings.base.consumer_group,
        )
    finally:
        engine.dispose()
    return True


def test_a_rebuild_replays_the_topics_into_the_same_documents(
    harness: SearchHarness, es: Elasticsearch
) -> None:
    harness.publish(
        "evaluation", USCC, evaluation_pb2.CreditChanged(uscc=USCC, level=common_pb2.CREDIT_LEVEL_BLUE)
    )
    harness.publish(
        "permits", USCC, permits_pb2.EnterpriseRegistered(enterprise=summary(USCC, "慈溪市重建化工厂"))
    )
    harness.publish("permits", USCC, permits_pb2.PermitIssued(uscc=USCC, permit_number="P-R1"))
    harness.publish("permits", USCC, permits_pb2.PermitSuspended(uscc=USCC, permit_number="P-R1"))
    station = monitoring_pb2.Station(
        station_id="S-R1", name="重建断面", town="宗汉", location=common_pb2.GeoPoint(lat=30.2, lon=121.3)
    )
    harness.publish("monitoring", "S-R1", monitoring_pb2.StationRegistered(station=station))
    fault = monitoring_pb2.Fault(fault_id="F-R1", station_id="S-R1", parameter="COD", open=True)
    harness.publish("monitoring", "S-R1", monitoring_pb2.DeviceFault(fault=fault, town="宗汉"))
    _publish_enforcement(harness)

    with harness.gateway():
        # Snapshot only once every event is in: the eight documents in their final state (the
        # indexer applies events one by one, so an earlier snapshot would still be changing).
        before = infra.wait_for(
            lambda: (
                (d := harness.all_documents())
                and len(d) == 8
                and d.get("petition:PET-R1", {}).get("status") == "closed"
                and d.get("petition:PET-R2", {}).get("props", {}).get("overdue") is True
                and "draw:D-R1" in d
                and "inspection:T-R1" in d
                and d.get("station:S-R1", {}).get("status") == "alarm"
                and d.get("enterprise:" + USCC, {}).get("status") == "suspended"
                and d.get("enterprise:" + USCC, {}).get("props", {}).get("credit_level") == "blue"
                and d.get("permit:P-R1", {}).get("status") == "suspended"
                and d
            ),
            timeout=30,
            what="the eight documents in their final state",
        )
        # While an indexer runs, the rebuild refuses and changes nothing.
        with pytest.raises(rebuild.GroupBusy):
            _rebuild(harness, es)
        assert harness.all_documents() == before

    infra.wait_for(lambda: _rebuild(harness, es), timeout=30, what="the group to empty")
    assert harness.all_documents() == {}

    with harness.gateway():
        after = infra.wait_for(
            lambda: (d := harness.all_documents()) == before and d, timeout=30, what="the replay"
        )
    assert after["enterprise:" + USCC]["props"]["credit_level"] == "blue"
    assert after["enterprise:" + USCC]["status"] == "suspended"
    assert after["petition:PET-R1"]["props"]["substantiated"] is True
    assert after["inspection:T-R1"]["title"] == "慈溪市重建化工厂 双随机抽查结果"
    assert after["draw:D-R1"]["title"].startswith("重建季度抽查")
