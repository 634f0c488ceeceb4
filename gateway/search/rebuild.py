"""python -m gateway.search.rebuild: rebuild the search index by replaying every topic from the start.

The index is derived data (DESIGN.md, Storage): drop it, forget which events the indexer handled
(its processed_events rows) and delete its Kafka consumer group, so the next indexer starts from
the earliest offsets and writes every document again. Run it with the gateways' indexers stopped
(ECO_GATEWAY_INDEXER=0 or the gateways down): Kafka refuses to delete a group that has members, and
the command stops there, having changed nothing.
"""

from __future__ import annotations

import logging
import sys

import sqlalchemy as sa
from elasticsearch import Elasticsearch
from kafka import KafkaAdminClient
from sqlalchemy.engine import Engine

from gateway import config
from gateway.migrations import HISTORY
from gateway.search import index, indexer
from shared.db import make_engine
from shared.migrations import upgrade
from shared.schema import processed_events

log = logging.getLogger(__name__)


class GroupBusy(RuntimeError):
    """The indexer's consumer group still has members: an indexer is running."""


def delete_group(bootstrap_servers: str, group_id: str) -> None:
    """Delete a consumer group's committed offsets; GroupBusy if a consumer is still in it."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers.split(","), request_timeout_ms=10000)
    try:
        # kafka-python answers {group: "OK" or the error's class name}.
        outcome = admin.delete_groups([group_id]).get(group_id, "OK")
    finally:
        admin.close()
    if outcome in ("OK", "GroupIdNotFoundError"):  # never consumed yet: nothing to forget
        return
    if outcome == "NonEmptyGroupError":
        raise GroupBusy(f"consumer group {group_id!r} has members: stop the indexers first")
    raise RuntimeError(f"deleting consumer group {group_id!r} failed: {outcome}")


def rebuild(
    engine: Engine, es: Elasticsearch, *, bootstrap_servers: str, index_prefix: str, consumer_group: str
) -> None:
    """Reset the index and the indexer's progress so that the next indexer replays every topic."""
    group_id = indexer.group_for(consumer_group)
    # The group first: if an indexer is running, stop before anything is dropped.
    delete_group(bootstrap_servers, group_id)
    name = index.index_name(index_prefix)
    index.drop(es, name)
    index.ensure(es, name)
    with engine.begin() as conn:
        conn.execute(sa.delete(processed_events).where(processed_events.c.consumer == group_id))
    log.info("search index %s dropped; group %s will replay from the start", name, group_id)


def main() -> int:
    """Rebuild with the gateway's settings from the environment."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = config.load()
    engine = make_engine(settings.base.database_url)
    # Run before the gateway ever started, the database may not have its tables yet.
    upgrade(engine, HISTORY)
    es = Elasticsearch(settings.base.elasticsearch_url, request_timeout=30)
    try:
        rebuild(
            engine,
            es,
            bootstrap_servers=settings.base.kafka_bootstrap_servers,
            index_prefix=settings.search_index_prefix,
            consumer_group=settings.base.consumer_group,
        )
    except GroupBusy as exc:
        print(f"rebuild refused: {exc}", file=sys.stderr)
        return 2
    finally:
        es.close()
        engine.dispose()
    print("search index reset: start the gateway (with its indexer) to replay every topic")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
