"""The console served over HTTP for a real browser: the gateway (uvicorn, its indexer on the test's
own topics), permits for the enterprise record, enforcement for the grids and evaluation for the
dashboard's KPIs (reading the test's own permits topic, so it counts the city the test publishes),
on the real Kafka, Elasticsearch and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from elasticsearch import Elasticsearch

from eco.v1 import enforcement_pb2_grpc, evaluation_pb2_grpc, permits_pb2_grpc
from gateway import config, operators
from gateway.app import create_app
from services.enforcement import bootstrap as enforcement_bootstrap
from services.enforcement.entrypoints.consumers import TOPICS as ENFORCEMENT_TOPICS
from services.evaluation import bootstrap as evaluation_bootstrap
from services.permits import bootstrap as permits_bootstrap
from shared import settings as shared_settings
from shared.clock import ManualClock
from shared.db import make_engine
from shared.grpc.client import channel
from shared.runtime import RunningService, start
from shared.topology import topic_for
from tests.integration.search.harness import SearchHarness, search_harness
from tests.support import infra, topics

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
OPERATOR = ("zhou.li", "console-browser-passphrase")  # username, password


@dataclass
class Console:
    """The running console and the services behind it."""

    base_url: str
    search: SearchHarness
    permits: permits_pb2_grpc.PermitsServiceStub
    enforcement: enforcement_pb2_grpc.EnforcementServiceStub
    evaluation: evaluation_pb2_grpc.EvaluationServiceStub


def _service(name: str, build: object, database_url: str, run_dir: Path, **kwargs: object) -> RunningService:
    env = infra.service_env(database_url=database_url, run_dir=run_dir)
    env[f"ECO_{name.upper()}_DATABASE_URL"] = database_url
    env[f"ECO_{name.upper()}_GRPC_PORT"] = "0"
    return start(build(shared_settings.load(name, env), **kwargs))  # type: ignore[operator]


@pytest.fixture
def console(tmp_path: Path, es: Elasticsearch, kafka_bootstrap: str) -> Iterator[Console]:
    """Permits, enforcement and the gateway on a free port; the operator OPERATOR signed up."""
    topics.create_topics_if_missing(*ENFORCEMENT_TOPICS, topic_for("enforcement"), topic_for("permits"))
    group = infra.unique("enforcement-console-")
    for topic in ENFORCEMENT_TOPICS:
        topics.start_group_at_end(group, topic)
    running: list[RunningService] = []
    with (
        search_harness(tmp_path, es) as harness,
        infra.fresh_postgres_database() as permits_db,
        infra.fresh_postgres_database() as enforcement_db,
        infra.fresh_postgres_database() as evaluation_db,
    ):
        try:
            permits = _service(
                "permits", permits_bootstrap.build, permits_db, tmp_path, clock=ManualClock(START)
            )
            running.append(permits)
            enforcement = _service(
                "enforcement",
                enforcement_bootstrap.build,
                enforcement_db,
                tmp_path,
                clock=ManualClock(START),
                consumer_group=group,
            )
            running.append(enforcement)
            # The system clock: the events the test publishes carry the time they are sent at, and
            # the KPIs count what happened up to "today".
            evaluation = _service(
                "evaluation",
                evaluation_bootstrap.build,
                evaluation_db,
                tmp_path,
                consumer_group=infra.unique("evaluation-console-"),
                topics=[harness.topics["permits"], harness.topics["enforcement"]],
            )
            running.append(evaluation)
            port = infra.free_port()
            env = {
                **harness.env,
                "ECO_PERMITS_ADDR": permits.address,
                "ECO_ENFORCEMENT_ADDR": enforcement.address,
                "ECO_EVALUATION_ADDR": evaluation.address,
                "ECO_GATEWAY_PORT": str(port),
            }
            server = uvicorn.Server(
                uvicorn.Config(create_app(config.load(env)), host="127.0.0.1", port=port, log_level="warning")
            )
            thread = threading.Thread(target=server.run, name="console-gateway", daemon=True)
            thread.start()
            infra.wait_for(lambda: server.started, timeout=30, what="the gateway to serve")
            engine = make_engine(env["ECO_GATEWAY_DATABASE_URL"])
            try:
                username, password = OPERATOR
                operators.create(
                    engine, username=username, display_name="周丽", role="dispatcher", password=password
                )
            finally:
                engine.dispose()
            permits_channel, enforcement_channel = channel(permits.address), channel(enforcement.address)
            evaluation_channel = channel(evaluation.address)
            try:
                yield Console(
                    base_url=f"http://127.0.0.1:{port}",
                    search=harness,
                    permits=permits_pb2_grpc.PermitsServiceStub(permits_channel),
                    enforcement=enforcement_pb2_grpc.EnforcementServiceStub(enforcement_channel),
                    evaluation=evaluation_pb2_grpc.EvaluationServiceStub(evaluation_channel),
                )
            finally:
                permits_channel.close()
                enforcement_channel.close()
                evaluation_channel.close()
                server.should_exit = True
                thread.join(timeout=10)
        finally:
            for service in reversed(running):
                service.stop(grace=1)
