"""Creating the platform's topics up front, so consumers that start before any producer find them.

kafka-python notices a topic created later only at its next metadata refresh, so without this a
consumer could miss the first minutes of a new topic's partitions.
"""

from __future__ import annotations

import logging

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from shared.topology import SERVICES, topic_for

log = logging.getLogger(__name__)

PARTITIONS = 3
# Read models are rebuilt by replaying topics from the start, so events are never deleted by age.
KEEP_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1"}


def ensure_topics(
    bootstrap_servers: str, names: list[str] | None = None, *, timeout_ms: int = 5000
) -> list[str]:
    """Create the missing topics (default: every service's events topic); returns those created."""
    wanted = names or [topic_for(service) for service in SERVICES]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers.split(","), request_timeout_ms=timeout_ms)
    try:
        existing = set(admin.list_topics())
        # Each name once: the broker refuses a request that names a topic twice ("Duplicate topic name").
        missing = [name for name in dict.fromkeys(wanted) if name not in existing]
        created = []
        for name in missing:
            try:
                admin.create_topics(
                    [
                        NewTopic(
                            name, num_partitions=PARTITIONS, replication_factor=1, topic_configs=KEEP_FOREVER
                        )
                    ]
                )
                created.append(name)
            except TopicAlreadyExistsError:  # another service created it a moment ago
                pass
        return created
    finally:
        admin.close()


def ensure_topics_or_warn(bootstrap_servers: str) -> None:
    """ensure_topics, but a broker that is down only delays this: services must start without Kafka."""
    try:
        created = ensure_topics(bootstrap_servers)
        if created:
            log.info("created topics %s", ", ".join(created))
    except Exception as exc:
        log.warning("could not check topics now (%s); auto-creation will make them on first use", exc)
