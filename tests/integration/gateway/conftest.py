"""A gateway with real services behind it and one enterprise in every store, for the tests that
hold the OpenAPI document to the gateway's real answers.

Real: permits, enforcement, risk and evaluation (each on a PostgreSQL database of its own, Kafka),
the code service (PostgreSQL, Kafka), Elasticsearch with the gateway's indexer on topics of the
test's own, the gateway's PostgreSQL database. Monitoring is not started (the health check reports
it down, which it documents).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from eco.v1 import permits_pb2
from gateway import config
from gateway.app import create_app
from services.enforcement import bootstrap as enforcement_bootstrap
from services.enforcement.entrypoints import consumers as enforcement_consumers
from services.evaluation import bootstrap as evaluation_bootstrap
from services.evaluation.entrypoints import consumers as evaluation_consumers
from services.monitoring import bootstrap as monitoring_bootstrap
from services.permits import bootstrap as permits_bootstrap
from services.permits.entrypoints import consumers as permits_consumers
from services.risk import bootstrap as risk_bootstrap
from services.risk.entrypoints import consumers as risk_consumers
from shared.runtime import RunningService
from tests.integration.codes.harness import running_codes
from tests.integration.gateway import seeding
from tests.integration.gateway_public.harness import operator_headers
from tests.integration.search.harness import search_harness, summary
from tests.support import infra, topics
from tests.unit.permits.factories import random_uscc

NAME = "慈溪市契约检验印染有限公司"


@dataclass
class Seeded:
    """The gateway and what the test put in it: an enterprise known to every store, its code."""

    client: TestClient
    admin: dict[str, str]
    uscc: str
    token: str
    key_id: str
    document: dict[str, Any]
    # The values of path parameters naming seeded records, by parameter name ("station_id": [...]).
    known: dict[str, list[str]]


def enterprise_in(uscc: str) -> dict[str, Any]:
    """A registration body the permits service accepts."""
    return {
        "uscc": uscc,
        "name": NAME,
        "legal_representative": "陈刚",
        "contact": {"person": "周丽", "phone": "0574-63111111", "email": "a@example.cn"},
        "industry_code": "C1713",
        "address": "浙江省慈溪市周巷镇",
        "town": "周巷",
        "grid": "周巷-02",
        "lat": 30.16,
        "lon": 121.15,
        "risk_flags": ["hazardous_chemicals"],
        "permit_class": "key",
    }


@pytest.fixture
def seeded(
    tmp_path: Path, es: Elasticsearch, pg_url: str, start_service: Callable[..., RunningService]
) -> Iterator[Seeded]:
    """The gateway in-process over real permits, codes, Elasticsearch, Kafka and PostgreSQL."""
    with (
        infra.fresh_postgres_database() as permits_db,
        running_codes(start_service, pg_url) as codes,
        infra.fresh_postgres_database() as enforcement_db,
        infra.fresh_postgres_database() as risk_db,
        infra.fresh_postgres_database() as evaluation_db,
        infra.fresh_postgres_database() as monitoring_db,
        search_harness(tmp_path, es) as search,
    ):
        # Every service reads only the events published from now on: what this fixture seeds comes
        # after, and replaying every earlier test's events on the shared topics only costs minutes.
        permits = start_service(
            "permits",
            permits_bootstrap.build,
            permits_db,
            consumer_group=topics.group_from_now("permits-oas-", *permits_consumers.TOPICS),
        )
        monitoring = start_service(
            "monitoring", monitoring_bootstrap.build, monitoring_db, consume_permits=False
        )
        # Enforcement reads outlets' readings from monitoring when it traces a case's sources.
        peers = {"enforcement": {"ECO_MONITORING_ADDR": monitoring.address}}
        groups = {
            name: topics.group_from_now(f"{name}-oas-", *consumed)
            for name, consumed in (
                ("enforcement", enforcement_consumers.TOPICS),
                ("risk", risk_consumers.TOPICS),
                ("evaluation", evaluation_consumers.TOPICS),
            )
        }
        services = {
            name: start_service(
                name,
                build,
                database,
                consumer_group=groups[name],
                extra_env=peers.get(name),
            )
            for name, build, database in (
                ("enforcement", enforcement_bootstrap.build, enforcement_db),
                ("risk", risk_bootstrap.build, risk_db),
                ("evaluation", evaluation_bootstrap.build, evaluation_db),
            )
        }
        seeding.grid(services["enforcement"])
        env = {
            **search.env,
            "ECO_MONITORING_ADDR": monitoring.address,
            "ECO_PERMITS_ADDR": permits.address,
            "ECO_CODES_ADDR": codes.service.address,
            **{f"ECO_{name.upper()}_ADDR": service.address for name, service in services.items()},
            "ECO_PUBLIC_RATE_PER_MINUTE": "100000",
        }
        with TestClient(create_app(config.load(env))) as client:
            admin = operator_headers(client, "admin")
            uscc = random_uscc()
            created = client.post("/api/v1/enterprises", json=enterprise_in(uscc), headers=admin)
            assert created.status_code == 201, created.text
            code = codes.register(uscc, town="周巷")
            registered = permits_pb2.EnterpriseRegistered(enterprise=summary(uscc, NAME, town="周巷"))
            search.publish("permits", uscc, registered)
            infra.wait_for(
                lambda: search.source(f"enterprise:{uscc}"), timeout=30, what="the indexed enterprise"
            )
            es.indices.refresh(index=search.index_name)
            hand_entered = seeding.problem(client, admin)
            traceable = seeding.traceable_case(client, admin, monitoring, uscc)
            known = {
                "uscc": [uscc],
                "token": [code.url.rsplit("/", 1)[-1]],
                **seeding.monitoring(monitoring),
                **hand_entered,
                # Both cases: the hand-entered one answers tracing with a documented refusal.
                "case_id": [*hand_entered["case_id"], *traceable["case_id"]],
                **seeding.petition(client, admin),
                **seeding.account(client, admin),
            }
            yield Seeded(
                client=client,
                admin=admin,
                uscc=uscc,
                token=code.url.rsplit("/", 1)[-1],
                key_id=code.key_id,
                document=client.get("/openapi.json").json(),
                known=known,
            )
        # Before their databases are dropped.
        for service in (permits, monitoring, *services.values()):
            service.stop(grace=0)
