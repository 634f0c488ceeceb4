"""A petition submitted to the real enforcement service reaches the search through its event and the
gateway's indexer: found by any part of its text, never by the petitioner's phone number (the contact
is not in the event, and a number written in the text is masked before it is indexed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from eco.v1 import common_pb2, enforcement_pb2_grpc
from eco.v1 import enforcement_pb2 as epb
from gateway import operators
from gateway.search import indexer
from services.enforcement import bootstrap
from services.enforcement.entrypoints import target_consumers
from services.enforcement.entrypoints.consumers import TOPICS as ENFORCEMENT_TOPICS
from shared.clock import ManualClock
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from shared.topology import topic_for
from tests.integration.search.harness import search_harness
from tests.support import infra, topics

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Cixi


def test_a_submitted_petition_is_found_by_its_text_and_not_by_its_phone_number(
    tmp_path: Path, es: Elasticsearch, pg_url: str, start_service: Callable[..., RunningService]
) -> None:
    shared_topic = topic_for("enforcement")
    topics.create_topics_if_missing(*ENFORCEMENT_TOPICS, *target_consumers.TOPICS, shared_topic)
    group = topics.group_from_now("enforcement-search-", *ENFORCEMENT_TOPICS)
    topics.start_group_at_end(target_consumers.group_for(group), *target_consumers.TOPICS)
    service = start_service(
        "enforcement", bootstrap.build, pg_url, clock=ManualClock(START), consumer_group=group
    )
    # Distinct per run, so that no other suite's petition on the shared topic can match them.
    mark = infra.unique("")[-6:]
    phone = f"139{int(mark, 16) % 10**8:08d}"
    words = f"化工园区{mark}号排口夜间排放黄色刺鼻废水"
    with search_harness(tmp_path, es) as harness:
        # The indexer reads enforcement's real topic from now on (not its whole history).
        harness.env["ECO_SEARCH_TOPICS"] = f"{harness.env['ECO_SEARCH_TOPICS']},{shared_topic}"
        topics.start_group_at_end(indexer.group_for(harness.env["ECO_GATEWAY_CONSUMER_GROUP"]), shared_topic)
        ch = channel(service.address)
        try:
            submitted = enforcement_pb2_grpc.EnforcementServiceStub(ch).SubmitPetition(
                epb.SubmitPetitionRequest(
                    source="hotline_12345",
                    category="water",
                    text=f"{words}，请尽快处理。我的手机{phone}",
                    contact=phone,
                    location=common_pb2.GeoPoint(lat=30.18, lon=121.27),
                ),
                metadata=call_metadata(infra.BUREAU_TOKEN),
                timeout=10,
            )
        finally:
            ch.close()
        with harness.gateway() as client:
            viewer = harness.headers
            token = infra.unique("tok-")
            operators.create(
                client.app.state.engine,  # type: ignore[attr-defined]
                username=infra.unique("disp-"),
                display_name="调度",
                role="dispatcher",
                token=token,
            )
            harness.headers = {"Authorization": f"Bearer {token}"}  # a dispatcher reads petitions

            def indexed() -> dict[str, Any] | None:
                answer = harness.search("排放黄色刺鼻", kind="petition")
                return answer if submitted.petition_id in [r["id"] for r in answer["results"]] else None

            found: dict[str, Any] = infra.wait_for(indexed, timeout=40, what="the petition indexed")
            hit = next(r for r in found["results"] if r["id"] == submitted.petition_id)
            assert hit["kind"] == "petition" and hit["status"] == "received"
            assert found["facets"]["petition"] >= 1
            # Another part of the text, not contiguous with the first.
            assert submitted.petition_id in [r["id"] for r in harness.search(f"{mark}号排口")["results"]]
            # The phone number: in the contact and written in the text, found nowhere.
            for part in (phone, phone[:7], phone[3:]):
                assert harness.search(part)["results"] == [], part
            # A viewer may not read petitions: none in the hits, none counted.
            harness.headers = viewer
            hidden = harness.search("排放黄色刺鼻")
            assert hidden["facets"]["petition"] == 0
            assert submitted.petition_id not in [r["id"] for r in hidden["results"]]
            stored = harness.source(f"petition:{submitted.petition_id}")
            assert (
                stored is not None and phone not in str(stored) and submitted.tracking_code not in str(stored)
            )
