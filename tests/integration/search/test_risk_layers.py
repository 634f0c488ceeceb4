"""The risk service's events in search and on the map (real Kafka and Elasticsearch): hazards,
emergencies and depots become documents and map features with their status, grade and low stock."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, permits_pb2, risk_pb2
from tests.integration.search.harness import SearchHarness, summary
from tests.support import infra

pytestmark = pytest.mark.integration

PLATING = "91330282MA2PLAT01X"
SITE = common_pb2.GeoPoint(lat=30.21, lon=121.31)


def _ts(text: str) -> Timestamp:
    ts = Timestamp()
    ts.FromJsonString(text)
    return ts


def _line(code: str, value: float, minimum: float) -> risk_pb2.StockLine:
    return risk_pb2.StockLine(
        amount=risk_pb2.SupplyAmount(item_code=code, quantity=common_pb2.Quantity(value=value, unit="kg")),
        minimum=common_pb2.Quantity(value=minimum, unit="kg"),
    )


def _hazard(hazard_id: str, title: str, status: int, *, location: bool = True) -> risk_pb2.Hazard:
    return risk_pb2.Hazard(
        hazard_id=hazard_id,
        uscc=PLATING,
        title=title,
        description="现场检查发现",
        grade=risk_pb2.HAZARD_GRADE_MAJOR,
        source=risk_pb2.HAZARD_SOURCE_INSPECTION,
        location=SITE if location else None,
        town="宗汉" if location else "",
        rectify_by=_ts("2026-04-30T09:00:00Z"),
        status=status,  # type: ignore[arg-type]
    )


def _publish_risk(h: SearchHarness) -> None:
    h.publish(
        "permits", PLATING, permits_pb2.EnterpriseRegistered(enterprise=summary(PLATING, "慈溪市宗汉电镀厂"))
    )
    open_hazard = _hazard("hz-open", "废液池防渗层破损", risk_pb2.HAZARD_STATUS_OPEN)
    h.publish("risk", PLATING, risk_pb2.HazardReported(hazard=open_hazard))
    h.publish(
        "risk",
        PLATING,
        risk_pb2.HazardOverdue(
            hazard_id="hz-open", uscc=PLATING, title=open_hazard.title, grade=open_hazard.grade, town="宗汉"
        ),
    )
    # Reported with no location: placed at its enterprise's site.
    closed = _hazard("hz-closed", "危废暂存间标识缺失", risk_pb2.HAZARD_STATUS_OPEN, location=False)
    h.publish("risk", PLATING, risk_pb2.HazardReported(hazard=closed))
    closed.status = risk_pb2.HAZARD_STATUS_CLOSED
    h.publish("risk", PLATING, risk_pb2.HazardClosed(hazard=closed, was_overdue=False))

    emergency = risk_pb2.Emergency(
        emergency_id="em-1",
        title="含铬废液泄漏",
        kind="chemical_leak",
        grade=risk_pb2.EMERGENCY_GRADE_IV,
        location=SITE,
        town="宗汉",
        uscc=PLATING,
        status=risk_pb2.EMERGENCY_STATUS_DECLARED,
    )
    h.publish("risk", PLATING, risk_pb2.EmergencyDeclared(emergency=emergency))
    order = risk_pb2.DispatchOrder(dispatch_id="dp-1", emergency_id="em-1")
    h.publish(
        "risk", PLATING, risk_pb2.SuppliesDispatched(order=order, emergency_location=SITE, uscc=PLATING)
    )
    h.publish(
        "risk",
        PLATING,
        risk_pb2.EmergencyRegraded(emergency_id="em-1", uscc=PLATING, grade=risk_pb2.EMERGENCY_GRADE_III),
    )

    for depot_id, name, lat in (("d-near", "宗汉应急物资库", 30.22), ("d-far", "观海卫应急物资库", 30.3)):
        depot = risk_pb2.SupplyDepot(
            depot_id=depot_id,
            name=name,
            location=common_pb2.GeoPoint(lat=lat, lon=121.31),
            town="宗汉",
            department="生态环境分局",
            active=True,
            stock=[_line("activated_carbon", 300, 100), _line("absorbent", 80, 50)],
        )
        h.publish("risk", depot_id, risk_pb2.DepotChanged(depot=depot))
    # The near depot's carbon goes out (below its minimum); the far one is written off and restocked.
    h.publish(
        "risk",
        "d-near",
        risk_pb2.StockChanged(
            depot_id="d-near",
            item_code="activated_carbon",
            quantity=common_pb2.Quantity(value=0, unit="kg"),
            dispatch_id="dp-1",
        ),
    )
    for value in (40, 260):
        h.publish(
            "risk",
            "d-far",
            risk_pb2.StockChanged(
                depot_id="d-far", item_code="absorbent", quantity=common_pb2.Quantity(value=value, unit="kg")
            ),
        )
    h.publish("risk", PLATING, risk_pb2.RiskLevelChanged(uscc=PLATING, level=risk_pb2.RISK_LEVEL_MAJOR))


def _by_id(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in collection["features"]}


def _layer_when(harness: SearchHarness, layer: str, ready: Any, **params: Any) -> dict[str, dict[str, Any]]:
    """The layer's features by id once `ready(features)` holds (the index refreshes every second)."""

    def check() -> dict[str, dict[str, Any]] | None:
        features = _by_id(harness.layer(layer, **params))
        return features if ready(features) else None

    return infra.wait_for(check, timeout=30, what=f"the {layer} layer")


def test_hazards_emergencies_and_depots_are_found_and_mapped(harness: SearchHarness) -> None:
    registered = permits_pb2.EnterpriseRegistered(enterprise=summary(PLATING, "慈溪市宗汉电镀厂"))
    harness.publish("permits", PLATING, registered)
    with harness.gateway():
        # The registry comes first (risk's events are on another topic: no order between them), so a
        # hazard reported without a place can take its enterprise's.
        infra.wait_for(lambda: harness.source(f"enterprise:{PLATING}"), timeout=30, what="the enterprise")
        _publish_risk(harness)
        found = infra.wait_for(
            lambda: harness.search("防渗层", kind="hazard")["results"],
            timeout=30,
            what="the hazard in search",
        )
        assert [(r["kind"], r["id"], r["status"]) for r in found] == [("hazard", "hz-open", "open")]
        # The last event of each subject: once it is indexed, everything before it on its partition is.
        infra.wait_for(
            lambda: (harness.source(f"enterprise:{PLATING}") or {}).get("props", {}).get("risk_level"),
            timeout=30,
            what="the risk level",
        )
        infra.wait_for(
            lambda: (
                (harness.source("depot:d-far") or {})
                .get("props", {})
                .get("stock", {})
                .get("absorbent", {})
                .get("quantity")
                == 260
            ),
            timeout=30,
            what="the far depot restocked",
        )

        hazards = _layer_when(
            harness, "hazards", lambda f: f.get("hz-open", {}).get("properties", {}).get("overdue")
        )
        assert set(hazards) == {"hz-open"}  # the closed one is off the map ...
        props = hazards["hz-open"]["properties"]
        assert (props["status"], props["grade"], props["overdue"]) == ("open", "major", True)
        assert hazards["hz-open"]["geometry"]["coordinates"] == [121.31, 30.21]
        closed = _layer_when(harness, "hazards", lambda f: f, status="closed")
        assert set(closed) == {"hz-closed"}  # ... unless asked for, placed at its enterprise
        assert closed["hz-closed"]["geometry"]["coordinates"] == [121.3, 30.2]
        assert harness.search("危废暂存间")["results"][0]["id"] == "hz-closed"  # still searchable

        emergencies = _layer_when(
            harness, "emergencies", lambda f: f.get("em-1", {}).get("properties", {}).get("grade") == "III"
        )
        em = emergencies["em-1"]["properties"]
        assert (em["status"], em["grade"], em["emergency_kind"]) == ("responding", "III", "chemical_leak")

        depots = _layer_when(
            harness,
            "depots",
            lambda f: (
                f.get("d-near", {}).get("properties", {}).get("status") == "low"
                and f.get("d-far", {})
                .get("properties", {})
                .get("stock", {})
                .get("absorbent", {})
                .get("quantity")
                == 260
            ),
        )
        assert depots["d-near"]["properties"]["status"] == "low"
        assert depots["d-near"]["properties"]["low_items"] == ["activated_carbon"]
        assert (
            depots["d-far"]["properties"]["status"] == "ok"
            and depots["d-far"]["properties"]["low_items"] == []
        )
        assert set(_by_id(harness.layer("depots", status="low"))) == {"d-near"}
        assert set(_by_id(harness.layer("depots", bbox="121.2,30.25,121.4,30.35"))) == {"d-far"}
        assert harness.search("应急物资库")["facets"]["depot"] == 2

        plating = _by_id(harness.layer("enterprises"))[PLATING]["properties"]
        assert plating["risk_level"] == "major"
