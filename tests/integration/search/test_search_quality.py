"""Search quality on the real Elasticsearch: any part of a Chinese name, the exact name first, keys by
exact value and prefix, every filter, facets, highlights and paging; and a rebuilt index answers
exactly as the live one."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, monitoring_pb2, permits_pb2
from gateway import config
from gateway.search import index, rebuild
from shared.db import make_engine
from tests.integration.search.harness import SearchHarness, summary
from tests.support import infra

pytestmark = pytest.mark.integration

DYEING = "91330282MA2DYE0001"
DYEING_BRANCH = "91330282MA2DYE0002"
PLATING = "91330282MA2PLA0003"
LONGSHAN = "91330282MB2LSH0004"
NAME = "慈溪市浒山印染有限公司"
PERMIT = "91330282MA2DYE0001001P"


def _publish(h: SearchHarness) -> None:
    city = [
        (DYEING, NAME, "浒山", 30.18, 121.26),
        # Holds the whole name and more: found too, but after the exact name.
        (DYEING_BRANCH, f"{NAME}第二分厂", "浒山", 30.17, 121.27),
        (PLATING, "慈溪市宗汉电镀厂", "宗汉", 30.22, 121.31),
        (LONGSHAN, "慈溪市龙山印染厂", "龙山", 30.3, 121.5),
    ]
    for uscc, name, town, lat, lon in city:
        h.publish(
            "permits",
            uscc,
            permits_pb2.EnterpriseRegistered(enterprise=summary(uscc, name, town=town, lat=lat, lon=lon)),
        )
    h.publish(
        "permits",
        DYEING,
        permits_pb2.PermitIssued(
            uscc=DYEING,
            permit_number=PERMIT,
            valid_from=common_pb2.Date(year=2026, month=3, day=1),
            valid_until=common_pb2.Date(year=2031, month=2, day=28),
        ),
    )
    station = monitoring_pb2.Station(
        station_id="S-HS-01",
        name="浒山印染总排口",
        town="浒山",
        location=common_pb2.GeoPoint(lat=30.18, lon=121.26),
    )
    h.publish("monitoring", "S-HS-01", monitoring_pb2.StationRegistered(station=station))
    for number, day in (("EX-Q1", 5), ("EX-Q2", 20)):
        exceedance = monitoring_pb2.Exceedance(
            exceedance_id=number,
            station_id="S-HS-01",
            parameter="COD",
            opened_at=noon(2026, 4, day),
            uscc=DYEING,
            open=True,
        )
        h.publish(
            "monitoring",
            "S-HS-01",
            monitoring_pb2.ExceedanceDetected(
                exceedance=exceedance, station_name="浒山印染总排口", town="浒山", location=station.location
            ),
        )


def noon(year: int, month: int, day: int) -> Timestamp:
    """A Timestamp at noon UTC of a day."""
    ts = Timestamp()
    ts.FromDatetime(datetime(year, month, day, 12, tzinfo=UTC))
    return ts


def _ids(answer: dict[str, Any]) -> list[str]:
    return [r["id"] for r in answer["results"]]


def _all_in(h: SearchHarness) -> None:
    def done() -> bool:
        # Real-time GETs first, then all_documents' refresh: what the GETs saw is searchable after.
        station, permit = h.source("station:S-HS-01") or {}, h.source(f"permit:{PERMIT}") or {}
        enterprise = h.source(f"enterprise:{DYEING}") or {}
        return (
            len(station.get("open_alarms", [])) == 2
            and "town" in permit
            # The permit's status reaches its enterprise in a write of its own, after the permit's.
            and enterprise.get("status") == "issued"
            and len(h.all_documents()) == 8
        )

    infra.wait_for(done, timeout=40, what="the city's eight documents")


def test_chinese_names_by_any_part_exact_name_first_keys_filters_facets_and_pages(
    harness: SearchHarness,
) -> None:
    _publish(harness)
    with harness.gateway():
        _all_in(harness)
        # Any contiguous part of the name, and parts that are not contiguous.
        for words in ("慈溪", "印染", "浒山印染", "慈溪印染"):
            assert DYEING in _ids(harness.search(words, kind="enterprise")), words
        assert PLATING not in _ids(harness.search("慈溪印染"))  # one pair of three is not enough
        assert PLATING not in _ids(harness.search("印染"))
        # The exact name first, ahead of the branch whose name holds it and of its own permit.
        exact = harness.search(NAME)
        assert _ids(exact)[0] == DYEING and {DYEING_BRANCH, PERMIT} <= set(_ids(exact))
        assert exact["results"][0]["score"] > exact["results"][1]["score"]
        # Highlights: the stored text escaped, the words marked as one run.
        assert "<em>印染</em>" in harness.search("印染", kind="enterprise")["results"][0]["snippet"]

        # USCC and permit numbers: exact (any case) first, and by prefix.
        assert _ids(harness.search(DYEING.lower()))[0] == DYEING
        assert set(_ids(harness.search("91330282MA2"))) >= {DYEING, DYEING_BRANCH, PLATING, PERMIT}
        assert LONGSHAN not in _ids(harness.search("91330282MA2"))
        assert _ids(harness.search(PERMIT[:18].lower() + "001", kind="permit")) == [PERMIT]

        # Filters: town, grid, status, time range, bbox; facets count what they leave.
        found = harness.search("印染")
        assert found["facet_counts"]["town"] == {"浒山": 6, "龙山": 1}
        assert found["facets"]["alarm"] == 2 and found["facets"]["station"] == 1
        assert set(_ids(harness.search("印染", town="龙山"))) == {LONGSHAN}
        assert set(_ids(harness.search("印染", grid="龙山-01"))) == {LONGSHAN}
        assert set(_ids(harness.search("印染", status="issued"))) == {PERMIT, DYEING}
        april = harness.search("浒山", since="2026-04-01", until="2026-04-10")
        assert _ids(april) == ["exceedance:EX-Q1"]
        assert _ids(harness.search("浒山", since="2026-04-10", kind="alarm")) == ["exceedance:EX-Q2"]
        east = harness.search("印染", bbox="121.4,30.2,121.6,30.4")
        assert _ids(east) == [LONGSHAN] and east["total"] == 1

        # Pages: every result once, in the order of one long page.
        everything = harness.search("慈溪", size=50)
        pages: list[str] = []
        token = ""
        while True:
            page = (
                harness.search("慈溪", page_size=2, page_token=token)
                if token
                else harness.search("慈溪", size=2)
            )
            pages += _ids(page)
            token = page["next_page_token"]
            if not token:
                break
        assert pages == _ids(everything) and len(pages) == everything["total"] >= 5


def _rebuild_into(harness: SearchHarness, es: Elasticsearch, prefix: str, group: str) -> dict[str, str]:
    env = {**harness.env, "ECO_SEARCH_INDEX_PREFIX": prefix, "ECO_GATEWAY_CONSUMER_GROUP": group}
    settings = config.load(env)
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
    return env


QUERIES: list[dict[str, Any]] = [
    {"q": "慈溪"},
    {"q": "印染", "size": 3},
    {"q": "慈溪印染"},
    {"q": NAME},
    {"q": "91330282MA2"},
    {"q": DYEING.lower()},
    {"q": "浒山", "since": "2026-04-01"},
    {"q": "印染", "kind": "enterprise", "bbox": "121.0,30.0,121.4,30.3"},
    {"q": "印染", "status": "alarm"},
]


def test_a_rebuilt_index_answers_exactly_as_the_live_one(harness: SearchHarness, es: Elasticsearch) -> None:
    _publish(harness)
    with harness.gateway():
        _all_in(harness)
        live = [harness.search(**params) for params in QUERIES]
    prefix, group = infra.unique("rebuilt-") + "-", infra.unique("rebuilt")
    env = _rebuild_into(harness, es, prefix, group)
    live_env, harness.env = harness.env, env
    try:
        with harness.gateway():
            _all_in(harness)
            rebuilt = [harness.search(**params) for params in QUERIES]
    finally:
        harness.env = live_env
        index.drop(es, index.index_name(prefix))
    assert all(answer["total"] for answer in live)
    for params, before, after in zip(QUERIES, live, rebuilt, strict=True):
        assert after == before, params


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_an_index_made_with_an_older_mapping_is_reported(es: Elasticsearch) -> None:
    name = infra.unique("outdated-") + "-search"
    fresh = infra.unique("current-") + "-search"
    records = _Records()
    logger = logging.getLogger("gateway.search.index")
    es.indices.create(index=name, mappings={"properties": {"title": {"type": "text"}}})
    logger.addHandler(records)
    try:
        index.ensure(es, name)
        assert len(records.messages) == 1 and "run python -m gateway.search.rebuild" in records.messages[0]
        index.ensure(es, fresh)
        index.ensure(es, fresh)  # made now: current, nothing to say
        assert len(records.messages) == 1
    finally:
        logger.removeHandler(records)
        index.drop(es, name)
        index.drop(es, fresh)
