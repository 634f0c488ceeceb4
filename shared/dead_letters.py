"""Putting set-aside events back on their topics once the bug that failed them is fixed.

An event goes back with its original bytes and key, so every consumer group sees it again; those
that handled it already skip it by its event id, the one that set it aside applies it now.

    python -m shared.dead_letters list   --database-url URL
    python -m shared.dead_letters replay --database-url URL [--consumer GROUP] [--kafka HOST:PORT]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared import events
from shared.db import make_engine
from shared.kafka import reliable_producer
from shared.schema import dead_letters


def pending(engine: Engine, consumer: str | None = None) -> list[sa.Row]:
    """Set-aside events not replayed yet, oldest first."""
    query = sa.select(dead_letters).where(dead_letters.c.replayed_at.is_(None)).order_by(dead_letters.c.id)
    if consumer:
        query = query.where(dead_letters.c.consumer == consumer)
    with engine.connect() as conn:
        return list(conn.execute(query))


def replay(engine: Engine, bootstrap_servers: str, consumer: str | None = None) -> int:
    """Publish every pending dead letter back to its topic, then mark it replayed; returns how many."""
    rows = pending(engine, consumer)
    if not rows:
        return 0
    producer = reliable_producer(bootstrap_servers, client_id="dead-letter-replay")
    try:
        for row in rows:
            key = events.decode(bytes(row.raw)).subject_id.encode() or None
            producer.send(row.topic, key=key, value=bytes(row.raw)).get(timeout=30)
            with engine.begin() as conn:
                conn.execute(
                    sa.update(dead_letters)
                    .where(dead_letters.c.id == row.id)
                    .values(replayed_at=datetime.now(UTC))
                )
    finally:
        producer.close(timeout=5)
    return len(rows)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.dead_letters", description=__doc__)
    parser.add_argument("command", choices=("list", "replay"))
    parser.add_argument("--database-url", required=True, help="the consuming service's DATABASE_URL")
    parser.add_argument("--consumer", help="only this consumer group's dead letters")
    parser.add_argument("--kafka", default="127.0.0.1:9092")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    if args.command == "list":
        for row in pending(engine, args.consumer):
            print(f"{row.id}\t{row.consumer}\t{row.topic}[{row.partition}]@{row.offset}\t{row.error}")
        return 0
    print(f"replayed {replay(engine, args.kafka, args.consumer)} event(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
