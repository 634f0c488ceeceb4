"""The gateway in-process (TestClient) with its indexer on topics, an index and a consumer group of
the test's own, on the real Kafka, Elasticsearch and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient
from google.protobuf.message import Message
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from eco.v1 import common_pb2, events_pb2, permits_pb2
from gateway import config, operators
from gateway.app import create_app
from gateway.search import index
from shared import events
from shared.kafka import reliable_producer
from tests.support import infra

CIXI = common_pb2.GeoPoint(lat=30.17, lon=121.27)


@dataclass
class SearchHarness:
    """Publishes events on the test's topics and reads the gateway's search and map."""

    env: dict[str, str]
    topics: dict[str, str]
    producer: KafkaProducer
    es: Elasticsearch
    run_dir: Path
    client: TestClient | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def index_name(self) -> str:
        return index.index_name(self.env["ECO_SEARCH_INDEX_PREFIX"])

    def publish(self, service: str, subject: str, payload: Message) -> events_pb2.EventEnvelope:
        """Publish a new event as `service` would (keyed by its subject)."""
        envelope = events.make_envelope(source=service, subject_id=subject, payload=payload)
        self.publish_envelope(service, envelope)
        return envelope

    def publish_envelope(self, service: str, envelope: events_pb2.EventEnvelope) -> None:
        """Publish an envelope as it is (a redelivery when it was published before)."""
        value = envelope.SerializeToString()
        self.producer.send(self.topics[service], key=envelope.subject_id.encode(), value=value).get(
            timeout=10
        )

    @contextmanager
    def gateway(self) -> Iterator[TestClient]:
        """The gateway app (its indexer running) for the duration of the block."""
        with TestClient(create_app(config.load(self.env))) as client:
            self.client = client
            if not self.headers:
                token = infra.unique("tok-")
                engine = client.app.state.engine  # type: ignore[attr-defined]
                operators.create(
                    engine, username=infra.unique("op-"), display_name="测", role="viewer", token=token
                )
                self.headers = {"Authorization": f"Bearer {token}"}
            yield client
        self.client = None

    def become(self, role: str) -> None:
        """Go on as a new operator with `role` (the harness signs in as a viewer)."""
        assert self.client is not None
        token = infra.unique("tok-")
        engine = self.client.app.state.engine  # type: ignore[attr-defined]
        operators.create(engine, username=infra.unique("op-"), display_name="测", role=role, token=token)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        """GET a gateway route as an operator; the response."""
        assert self.client is not None
        return self.client.get(path, params=params, headers=self.headers)

    def search(self, q: str, **params: Any) -> dict[str, Any]:
        """The search answer (asserting 200)."""
        response = self.get("/api/v1/search", q=q, **params)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def layer(self, layer: str, **params: Any) -> dict[str, Any]:
        """A map layer's FeatureCollection (asserting 200)."""
        response = self.get(f"/api/v1/map/{layer}.geojson", **params)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def source(self, doc_id: str) -> dict[str, Any] | None:
        """A document's stored source, read directly (real-time GET)."""
        found = self.es.options(ignore_status=404).get(index=self.index_name, id=doc_id)
        return found["_source"] if found.get("found") else None

    def all_documents(self) -> dict[str, dict[str, Any]]:
        """Every document in the test's index, by id."""
        self.es.indices.refresh(index=self.index_name)
        hits = self.es.search(index=self.index_name, query={"match_all": {}}, size=1000)["hits"]["hits"]
        return {hit["_id"]: hit["_source"] for hit in hits}


def summary(
    uscc: str, name: str, *, town: str = "宗汉", lat: float = 30.2, lon: float = 121.3
) -> permits_pb2.EnterpriseSummary:
    """An EnterpriseSummary as permits publishes it."""
    return permits_pb2.EnterpriseSummary(
        uscc=uscc,
        name=name,
        industry_code="C3360",
        address=f"浙江省慈溪市{town}",
        town=town,
        grid=f"{town}-01",
        location=common_pb2.GeoPoint(lat=lat, lon=lon),
        permit_class=common_pb2.PERMIT_CLASS_KEY,
    )


@contextmanager
def search_harness(run_dir: Path, es: Elasticsearch) -> Iterator[SearchHarness]:
    """Fresh topics, index prefix, consumer group and gateway database for one test."""
    tag = infra.unique("srch")
    topics = {
        service: f"{tag}.{service}.events"
        for service in ("permits", "monitoring", "evaluation", "risk", "enforcement")
    }
    admin = KafkaAdminClient(bootstrap_servers=infra.KAFKA.split(","))
    try:
        admin.create_topics([NewTopic(t, num_partitions=3, replication_factor=1) for t in topics.values()])
    finally:
        admin.close()
    producer = reliable_producer(infra.KAFKA, client_id=tag)
    with infra.fresh_postgres_database() as database_url:
        env = {
            "ECO_RUN_DIR": str(run_dir),
            "ECO_GATEWAY_DATABASE_URL": database_url,
            "ECO_GATEWAY_CONSUMER_GROUP": tag,
            "ECO_SEARCH_INDEX_PREFIX": f"{tag}-",
            "ECO_SEARCH_TOPICS": ",".join(topics.values()),
            "KAFKA_BOOTSTRAP_SERVERS": infra.KAFKA,
            "ELASTICSEARCH_URL": infra.ES_URL,
        }
        harness = SearchHarness(env=env, topics=topics, producer=producer, es=es, run_dir=run_dir)
        try:
            yield harness
        finally:
            producer.close()
            index.drop(es, harness.index_name)
