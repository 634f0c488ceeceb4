"""Events on the topics appear in search and on the map within seconds (real Kafka and Elasticsearch)."""

from __future__ import annotations

from typing import Any

import pytest

from eco.v1 import common_pb2, evaluation_pb2, monitoring_pb2, permits_pb2
from shared.vocabulary import CREDIT_LEVELS
from tests.integration.search.harness import SearchHarness, summary
from tests.support import infra

pytestmark = pytest.mark.integration

PLATING = "91330282MA2PLAT01X"
TEXTILE = "91330282MA2TEXT02X"
APPLIANCE = "91330282MA2ELEC03X"


def _ids(collection: dict[str, Any]) -> set[str]:
    return {feature["id"] for feature in collection["features"]}


def _publish_city(h: SearchHarness) -> None:
    h.publish(
        "permits", PLATING, permits_pb2.EnterpriseRegistered(enterprise=summary(PLATING, "慈溪市宗汉电镀厂"))
    )
    h.publish(
        "permits",
        TEXTILE,
        permits_pb2.EnterpriseRegistered(
            enterprise=summary(TEXTILE, "慈溪市宗汉纺织厂", lat=30.25, lon=121.2)
        ),
    )
    # Far east of the others: outside the box the bbox tests draw.
    far = summary(APPLIANCE, "慈溪市电器厂", town="龙山", lat=30.3, lon=121.5)
    h.publish("permits", APPLIANCE, permits_pb2.EnterpriseRegistered(enterprise=far))
    h.publish(
        "permits",
        PLATING,
        permits_pb2.PermitIssued(
            uscc=PLATING,
            permit_number="91330282MA2PLAT01X001V",
            permit_class=common_pb2.PERMIT_CLASS_KEY,
            valid_from=common_pb2.Date(year=2026, month=1, day=1),
            valid_until=common_pb2.Date(year=2030, month=12, day=31),
        ),
    )
    station = monitoring_pb2.Station(
        station_id="S-ZH-01",
        name="宗汉断面",
        type=monitoring_pb2.STATION_TYPE_WATER_SECTION,
        town="宗汉",
        location=common_pb2.GeoPoint(lat=30.21, lon=121.31),
        water_section=monitoring_pb2.WaterSection(
            river="四灶浦", target_class=monitoring_pb2.WATER_CLASS_III
        ),
    )
    h.publish("monitoring", "S-ZH-01", monitoring_pb2.StationRegistered(station=station))
    exceedance = monitoring_pb2.Exceedance(
        exceedance_id="EX-1", station_id="S-ZH-01", parameter="NH3N", unit="mg/L", limit=1.0, open=True
    )
    h.publish(
        "monitoring",
        "S-ZH-01",
        monitoring_pb2.ExceedanceDetected(
            exceedance=exceedance,
            station_name="宗汉断面",
            town="宗汉",
            location=station.location,
            river="四灶浦",
        ),
    )


def test_events_appear_in_search_and_on_the_map(harness: SearchHarness) -> None:
    _publish_city(harness)
    with harness.gateway():
        found = infra.wait_for(
            lambda: (a := harness.search("宗汉电镀"))["total"] >= 2 and a,
            timeout=30,
            what="the plating works",
        )
        # The phrase finds the plating works and its permit, not every name with 宗汉 or 电.
        assert {(r["kind"], r["id"]) for r in found["results"]} == {
            ("enterprise", PLATING),
            ("permit", "91330282MA2PLAT01X001V"),
        }
        top = found["results"][0]
        assert top["kind"] == "enterprise" and top["title"] == "慈溪市宗汉电镀厂" and top["town"] == "宗汉"
        assert top["location"] == {"lat": 30.2, "lon": 121.3} and top["score"] > 0
        assert found["facets"]["enterprise"] == 1 and found["facets"]["permit"] == 1
        only_permits = harness.search("宗汉电镀", kind="permit")
        assert [r["kind"] for r in only_permits["results"]] == ["permit"] and only_permits["facets"][
            "enterprise"
        ] == 1

        by_code = harness.search(PLATING.lower())
        assert by_code["results"][0]["id"] == PLATING

        permits = infra.wait_for(
            lambda: harness.search("91330282MA2PLAT01X001V", kind="permit")["results"],
            timeout=30,
            what="the permit",
        )
        assert permits[0]["town"] == "宗汉" and permits[0]["status"] == "issued"

        def all_three() -> dict[str, Any] | None:
            # The permit's status reaches its enterprise in a write after the permit's own: the permit
            # being searchable does not make that write searchable yet.
            collection = harness.layer("enterprises")
            statuses = {f["id"]: f["properties"].get("permit_status") for f in collection["features"]}
            return collection if len(statuses) == 3 and statuses.get(PLATING) == "issued" else None

        enterprises = infra.wait_for(all_three, timeout=30, what="three enterprises on the map")
        plating = next(f for f in enterprises["features"] if f["id"] == PLATING)
        assert plating["geometry"] == {"type": "Point", "coordinates": [121.3, 30.2]}
        assert plating["properties"]["permit_status"] == "issued"

        alarms = infra.wait_for(lambda: harness.layer("alarms")["features"], timeout=30, what="the alarm")
        assert [a["id"] for a in alarms] == ["exceedance:EX-1"]
        assert alarms[0]["properties"]["parameter"] == "NH3N"
        stations = harness.layer("stations")["features"]
        assert [(s["id"], s["properties"]["status"]) for s in stations] == [("S-ZH-01", "alarm")]

        west = "121.0,30.0,121.4,30.4"
        assert _ids(harness.layer("enterprises", bbox=west)) == {PLATING, TEXTILE}
        assert _ids(harness.layer("enterprises", bbox="121.25,30.15,121.35,30.22")) == {PLATING}
        assert _ids(harness.layer("enterprises", town="龙山")) == {APPLIANCE}
        assert _ids(harness.layer("enterprises", status="issued")) == {PLATING}
        assert harness.search("宗汉", town="龙山")["total"] == 0

        assert harness.search("电器")["results"][0]["id"] == APPLIANCE
        # The document holds the public summary only (contacts are never indexed).
        source = harness.source(f"enterprise:{PLATING}")
        assert source is not None
        assert set(source) <= {"kind", "ref", "title", "body", "town", "grid", "location", "status", "props"}
        assert not {"contact", "person", "phone", "email", "legal_representative"} & set(source["props"])


def test_a_cleared_exceedance_drops_off_the_map_and_the_station_is_normal(harness: SearchHarness) -> None:
    _publish_city(harness)
    exceedance = monitoring_pb2.Exceedance(exceedance_id="EX-1", station_id="S-ZH-01", open=False)
    harness.publish("monitoring", "S-ZH-01", monitoring_pb2.ExceedanceCleared(exceedance=exceedance))
    with harness.gateway():
        infra.wait_for(
            lambda: harness.layer("stations")["features"][0]["properties"]["status"] == "normal",
            timeout=30,
            what="the station back to normal",
        )
        assert harness.layer("alarms")["features"] == []
        cleared = harness.layer("alarms", status="cleared")["features"]
        assert [a["id"] for a in cleared] == ["exceedance:EX-1"]


def test_a_redelivered_event_changes_nothing(harness: SearchHarness) -> None:
    registered = harness.publish(
        "permits", PLATING, permits_pb2.EnterpriseRegistered(enterprise=summary(PLATING, "慈溪市宗汉电镀厂"))
    )
    renamed = summary(PLATING, "慈溪市宗汉表面处理厂")
    harness.publish(
        "permits", PLATING, permits_pb2.EnterpriseUpdated(enterprise=renamed, changed_fields=["name"])
    )
    harness.publish_envelope("permits", registered)  # delivered again, after the update
    # Same subject, same partition: once this is indexed, the redelivery before it was handled.
    harness.publish("permits", PLATING, permits_pb2.PermitRevoked(uscc=PLATING, permit_number="P-1"))
    with harness.gateway() as client:
        infra.wait_for(lambda: harness.source("permit:P-1"), timeout=30, what="the sentinel permit")
        source = harness.source(f"enterprise:{PLATING}")
        assert source is not None and source["title"] == "慈溪市宗汉表面处理厂"
        assert client.app.state.indexer.skipped_duplicates == 1  # type: ignore[attr-defined]


def test_a_credit_change_before_the_registration_ends_with_both(harness: SearchHarness) -> None:
    credit = evaluation_pb2.CreditChanged(uscc=TEXTILE, level=common_pb2.CREDIT_LEVEL_YELLOW, score=72)
    harness.publish("evaluation", TEXTILE, credit)
    with harness.gateway():
        infra.wait_for(lambda: harness.source(f"enterprise:{TEXTILE}"), timeout=30, what="the credit")
        assert harness.layer("enterprises")["features"] == []  # nothing to place yet
        registered = permits_pb2.EnterpriseRegistered(enterprise=summary(TEXTILE, "慈溪市宗汉纺织厂"))
        harness.publish("permits", TEXTILE, registered)
        features = infra.wait_for(
            lambda: harness.layer("enterprises")["features"], timeout=30, what="the map"
        )
        assert features[0]["properties"]["credit_level"] == "yellow"
        assert features[0]["properties"]["colour"] == CREDIT_LEVELS["yellow"].colour
        assert features[0]["properties"]["name"] == "慈溪市宗汉纺织厂"


def test_refusals(harness: SearchHarness) -> None:
    with harness.gateway() as client:
        bad = harness.get("/api/v1/map/enterprises.geojson", bbox="121.5,30,121.0,30.4")
        assert bad.status_code == 400 and bad.json()["error"] == "INVALID_ARGUMENT"
        assert bad.json()["message"].startswith("bbox: min_lon must be less than max_lon")
        assert (
            harness.get("/api/v1/map/stations.geojson", bbox="1,2,3").json()["message"].startswith("bbox: ")
        )
        unknown = harness.get("/api/v1/map/rivers.geojson")
        assert unknown.status_code == 404 and "enterprises, stations, alarms" in unknown.json()["message"]
        # Petitions have a source now (enforcement's events): an empty layer, without the pending note.
        # A viewer may not read petitions, so not their layer either; a dispatcher may.
        assert harness.get("/api/v1/map/petitions.geojson").status_code == 403
        harness.become("dispatcher")
        petitions = harness.layer("petitions", bbox="121,30,121.5,30.4")
        assert petitions["features"] == [] and "note" not in petitions
        too_many = harness.get("/api/v1/search", q="厂", size=101)
        assert too_many.status_code == 400 and too_many.json()["message"].startswith("size: ")
        assert harness.get("/api/v1/search").status_code == 400  # q is required
        assert client.get("/api/v1/search", params={"q": "厂"}).status_code == 401
        assert client.get("/api/v1/map/alarms.geojson").status_code == 401


def test_elasticsearch_down_is_a_clear_503(harness: SearchHarness) -> None:
    harness.env["ELASTICSEARCH_URL"] = f"http://127.0.0.1:{infra.free_port()}"
    with harness.gateway():
        for response in (harness.get("/api/v1/search", q="厂"), harness.get("/api/v1/map/stations.geojson")):
            assert response.status_code == 503
            assert response.json()["error"] == "UNAVAILABLE"
            assert "cannot reach Elasticsearch" in response.json()["message"]
        # Every layer has a source now, so every layer needs Elasticsearch.
        harness.become("dispatcher")  # the petitions layer is for those who may read petitions
        assert harness.get("/api/v1/map/petitions.geojson").status_code == 503
