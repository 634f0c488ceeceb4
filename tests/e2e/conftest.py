"""E2E fixtures reuse the integration fixtures (real Kafka, Elasticsearch, PostgreSQL)."""

from tests.integration.conftest import es, kafka_bootstrap, pg_url, start_service  # noqa: F401
