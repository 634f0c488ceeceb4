"""DESIGN.md flow 1 across real processes: monitoring, enforcement and the gateway each started as
`make run` starts them (`python -m ...`, SQLite files in a run dir, the real Kafka and Elasticsearch).

Readings streamed into monitoring exceed a river section's class; within seconds enforcement has a
problem routed to the section's grid with the readings attached as evidence (their chain intact),
the gateway's REST ledger shows it, and the search and the map's problems layer find it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest

from deploy.ready import gateway_up, service_serving
from eco.v1 import common_pb2, enforcement_pb2_grpc, monitoring_pb2, monitoring_pb2_grpc
from eco.v1 import enforcement_pb2 as pb
from gateway import operators
from gateway.search.indexer import group_for
from services.enforcement.entrypoints.consumers import TOPICS as ENFORCEMENT_TOPICS
from shared.db import make_engine
from shared.grpc.client import call_metadata
from shared.topology import GRPC_SERVICE_NAMES, SERVICES, topic_for
from tests.integration.enforcement.grids import square
from tests.integration.monitoring.support import HOUR, batch, section
from tests.support import infra, topics

pytestmark = pytest.mark.e2e
STARTED = ("monitoring", "enforcement", "gateway")
OPERATOR_TOKEN = "tok-e2e-officer"


@pytest.fixture
def platform(tmp_path: Path, kafka_bootstrap: str, es: object) -> Iterator[dict[str, str]]:
    """Monitoring, enforcement and the gateway as processes; each consumer group starts at its
    topics' current end, so nothing published before this test is replayed into it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECO_") and k != "DATABASE_URL"}
    env.update(
        PYTHONPATH=str(infra.REPO),
        ECO_RUN_DIR=str(tmp_path),
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        ELASTICSEARCH_URL=infra.ES_URL,
        ECO_GRANTS_FILE=str(infra.GRANTS_FILE),
        ECO_GATEWAY_PORT=str(infra.free_port()),
        ECO_GATEWAY_DATABASE_URL=f"sqlite:///{tmp_path / 'gateway.db'}",
        ECO_SEARCH_INDEX_PREFIX=infra.unique("e2e-flow1-"),
        ECO_OUTBOX_POLL_SECONDS="0.1",
    )
    for name in SERVICES:
        env[f"ECO_{name.upper()}_GRPC_PORT"] = str(infra.free_port())
    everything = [topic_for(s) for s in SERVICES]
    topics.create_topics_if_missing(*everything)
    consumed = {
        "monitoring": [topic_for("permits")],
        "enforcement": ENFORCEMENT_TOPICS,
        "gateway": everything,
    }
    for name, names in consumed.items():
        group = infra.unique(f"{name}-flow1-")
        # The gateway's indexer consumes as a group named after the gateway's (indexer.group_for).
        topics.start_group_at_end(group_for(group) if name == "gateway" else group, *names)
        env[f"ECO_{name.upper()}_CONSUMER_GROUP"] = group
    processes: list[subprocess.Popen[bytes]] = []
    for name in STARTED:
        module = "gateway" if name == "gateway" else f"services.{name}"
        log = (tmp_path / f"{name}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", module], env=env, cwd=infra.REPO, stdout=log, stderr=subprocess.STDOUT
            )
        )
    try:
        base = f"http://127.0.0.1:{env['ECO_GATEWAY_PORT']}"
        infra.wait_for(
            lambda: (
                all(
                    service_serving(f"127.0.0.1:{env[f'ECO_{n.upper()}_GRPC_PORT']}", GRPC_SERVICE_NAMES[n])
                    for n in STARTED[:2]
                )
                and gateway_up(base)
            ),
            timeout=90,
            what="monitoring, enforcement and the gateway to be ready",
        )
        yield env
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def _grids(stub: enforcement_pb2_grpc.EnforcementServiceStub, md: tuple[tuple[str, str], ...]) -> None:
    city = pb.Grid(grid_id="city", name="慈溪市", level=1, boundary=square(121.0, 30.0, 121.55, 30.4))
    stub.CreateGrid(pb.CreateGridRequest(grid=city), metadata=md)
    for gid, town, lon0, lon1 in (("west", "浒山", 121.2, 121.3), ("east", "白沙路", 121.3, 121.4)):
        grid = pb.Grid(
            grid_id=gid,
            name=f"{town}网格",
            town=town,
            parent_grid_id="city",
            level=2,
            boundary=square(lon0, 30.1, lon1, 30.2),
        )
        stub.CreateGrid(pb.CreateGridRequest(grid=grid), metadata=md)


def test_a_streamed_river_exceedance_becomes_a_routed_problem_with_its_readings(
    platform: dict[str, str],
) -> None:
    env = platform
    bureau = call_metadata(infra.BUREAU_TOKEN)
    with (
        grpc.insecure_channel(f"127.0.0.1:{env['ECO_ENFORCEMENT_GRPC_PORT']}") as enf_channel,
        grpc.insecure_channel(f"127.0.0.1:{env['ECO_MONITORING_GRPC_PORT']}") as mon_channel,
    ):
        enforcement = enforcement_pb2_grpc.EnforcementServiceStub(enf_channel)
        monitoring = monitoring_pb2_grpc.MonitoringServiceStub(mon_channel)
        _grids(enforcement, bureau)

        water = call_metadata(infra.WATER_TOKEN)
        station_id = infra.unique("WS-")
        station = section(station_id)
        station.location.CopyFrom(common_pb2.GeoPoint(lat=30.15, lon=121.25))  # in the western grid
        monitoring.RegisterStation(monitoring_pb2.RegisterStationRequest(station=station), metadata=water)
        start = int(time.time()) // HOUR * HOUR - 10 * HOUR
        streamed_at = time.monotonic()
        summary = monitoring.StreamReadings(
            iter([batch(station_id, "NH3N", start, [0.6, 1.4, 1.6, 1.8])]), metadata=water
        )
        assert [a.kind for a in summary.alarms] == [monitoring_pb2.ALARM_KIND_EXCEEDANCE]

        def opened() -> list[pb.Problem]:
            request = pb.ListProblemsRequest(station_id=station_id)
            return list(enforcement.ListProblems(request, metadata=bureau).problems)

        [problem] = infra.wait_for(opened, timeout=30, every=0.2, what="the problem the exceedance opens")
        took = time.monotonic() - streamed_at
        assert took < 15, f"the problem took {took:.1f}s to open across processes"
        assert (problem.grid_id, problem.town, problem.parameter) == ("west", "浒山", "NH3N")
        assert problem.source == pb.PROBLEM_SOURCE_EXCEEDANCE and problem.severity == "medium"
        [item] = enforcement.ListEvidence(
            pb.ListEvidenceRequest(case_id=problem.case_id, include_content=True), metadata=bureau
        ).evidence
        body = json.loads(item.content)
        assert item.kind == pb.EVIDENCE_KIND_READING and body["station_id"] == station_id
        assert [r["value"] for r in body["readings"]] == [1.4, 1.6, 1.8]
        check = pb.VerifyEvidenceChainRequest(case_id=problem.case_id)
        assert enforcement.VerifyEvidenceChain(check, metadata=bureau).intact

    engine = make_engine(env["ECO_GATEWAY_DATABASE_URL"])
    operators.create(
        engine, username="e2e.officer", display_name="E2E", role="dispatcher", token=OPERATOR_TOKEN
    )
    engine.dispose()
    base = f"http://127.0.0.1:{env['ECO_GATEWAY_PORT']}/api/v1"
    auth = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    ledger = httpx.get(f"{base}/problems", params={"station_id": station_id}, headers=auth, timeout=10).json()
    assert [(p["problem_id"], p["grid_id"], p["stage"]) for p in ledger["problems"]] == [
        (problem.problem_id, "west", "discovered")
    ]

    def searched() -> list[dict[str, object]]:
        found = httpx.get(
            f"{base}/search", params={"q": station_id, "kind": "problem"}, headers=auth, timeout=10
        )
        return [r for r in found.json().get("results", []) if r["id"] == problem.problem_id]

    [hit] = infra.wait_for(searched, timeout=30, every=0.5, what="the problem in the search index")
    assert hit["status"] == "discovered" and hit["town"] == "浒山"
    layer = httpx.get(
        f"{base}/map/problems.geojson", params={"bbox": "121.2,30.1,121.3,30.2"}, headers=auth, timeout=10
    )
    features = [f for f in layer.json()["features"] if f["id"] == problem.problem_id]
    assert [f["geometry"]["coordinates"] for f in features] == [[121.25, 30.15]]
