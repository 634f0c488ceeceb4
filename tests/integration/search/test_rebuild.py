"""Rebuilding the index by replaying the topics gives the same documents (DESIGN.md, Events)."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from eco.v1 import common_pb2, evaluation_pb2, monitoring_pb2, permits_pb2
from gateway import config
from gateway.search import rebuild
from shared.db import make_engine
from tests.integration.search.harness import SearchHarness, summary
from tests.support import infra

pytestmark = pytest.mark.integration

USCC = "91330282MA2REBU01X"


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

    with harness.gateway():
        # Snapshot only once every event is in: the four documents in their final state (the
        # indexer applies events one by one, so an earlier snapshot would still be changing).
        before = infra.wait_for(
            lambda: (
                (d := harness.all_documents())
                and len(d) == 4
                and d.get("station:S-R1", {}).get("status") == "alarm"
                and d.get("enterprise:" + USCC, {}).get("status") == "suspended"
                and d.get("enterprise:" + USCC, {}).get("props", {}).get("credit_level") == "blue"
                and d.get("permit:P-R1", {}).get("status") == "suspended"
                and d
            ),
            timeout=30,
            what="the four documents in their final state",
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
