"""A consumer process that dies right after its handler committed, before the Kafka offset commit.

Run by test_outbox_kafka.py as `python -m tests.integration.shared.crash_worker DB_URL KAFKA TOPIC GROUP`.
"""

from __future__ import annotations

import os
import sys

import sqlalchemy as sa
from kafka import TopicPartition

from eco.v1 import events_pb2
from shared.consumer import EventConsumer
from shared.db import make_engine
from tests.integration.shared.support import APPLIED, record_application


class DiesBeforeOffsetCommit(EventConsumer):
    def _commit(self, partition: TopicPartition, offset: int, leader_epoch: int | None) -> None:
        # The handler's transaction is committed; the offset is not. Die like a killed process.
        os._exit(17)


def main(db_url: str, kafka: str, topic: str, group: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        APPLIED.create(conn, checkfirst=True)

    def handler(conn: sa.Connection, envelope: events_pb2.EventEnvelope, payload: object) -> None:
        record_application(conn, envelope)

    consumer = DiesBeforeOffsetCommit(
        engine, kafka, group_id=group, topics=[topic], handlers={"CreditChanged": handler}
    )
    while True:
        consumer.poll_once(timeout_ms=1000)


if __name__ == "__main__":
    main(*sys.argv[1:5])
