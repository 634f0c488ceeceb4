"""DESIGN.md flow 1, first half, across real services: readings streamed into monitoring exceed a
river section's class; within seconds a problem is open in enforcement's ledger, routed to the
section's grid, with the readings that opened the exceedance attached as evidence."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from eco.v1 import common_pb2, monitoring_pb2
from eco.v1 import enforcement_pb2 as pb
from services.monitoring.bootstrap import build as monitoring_build
from shared.grpc.client import call_metadata
from shared.runtime import RunningService
from tests.integration.enforcement.conftest import Enforcement
from tests.integration.enforcement.grids import city
from tests.integration.monitoring import support
from tests.integration.monitoring.support import HOUR
from tests.support import infra

pytestmark = pytest.mark.integration


def test_a_streamed_exceedance_becomes_a_problem_in_its_grid_with_the_readings(
    enforcement: Enforcement, start_service: Callable[..., RunningService]
) -> None:
    e = enforcement
    city(e)
    with infra.fresh_postgres_database() as monitoring_db:
        monitoring = start_service(
            "monitoring",
            monitoring_build,
            monitoring_db,
            permits_group=support.permits_group_from_now(),
        )
        stub, meta = support.stub(monitoring), call_metadata(infra.WATER_TOKEN)
        station_id = infra.unique("WS-")
        station = support.section(station_id)
        station.location.CopyFrom(common_pb2.GeoPoint(lat=30.15, lon=121.25))  # inside the western grid
        stub.RegisterStation(monitoring_pb2.RegisterStationRequest(station=station), metadata=meta)
        start = int(time.time()) // HOUR * HOUR - 10 * HOUR
        streamed_at = time.monotonic()
        summary = stub.StreamReadings(
            iter([support.batch(station_id, "NH3N", start, [0.6, 1.4, 1.6, 1.8])]), metadata=meta
        )
        assert [a.kind for a in summary.alarms] == [monitoring_pb2.ALARM_KIND_EXCEEDANCE]

        def opened() -> list[pb.Problem]:
            return list(
                e.stub.ListProblems(pb.ListProblemsRequest(station_id=station_id), metadata=e.md()).problems
            )

        [problem] = infra.wait_for(opened, timeout=30, every=0.2, what="the problem the exceedance opens")
        took = time.monotonic() - streamed_at
        monitoring.stop()
    assert took < 15, f"the problem took {took:.1f}s to open"
    assert (problem.grid_id, problem.town, problem.parameter) == ("west", "浒山", "NH3N")
    assert problem.source == pb.PROBLEM_SOURCE_EXCEEDANCE and problem.stage == pb.CASE_STAGE_DISCOVERED
    [item] = e.stub.ListEvidence(
        pb.ListEvidenceRequest(case_id=problem.case_id, include_content=True), metadata=e.md()
    ).evidence
    body = json.loads(item.content)
    assert item.kind == pb.EVIDENCE_KIND_READING and [r["value"] for r in body["readings"]] == [1.4, 1.6, 1.8]
    assert e.stub.VerifyEvidenceChain(
        pb.VerifyEvidenceChainRequest(case_id=problem.case_id), metadata=e.md()
    ).intact
