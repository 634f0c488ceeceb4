"""The platform's topics are created up front and keep their events for good (replay rebuilds read models)."""

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from shared.topics import PARTITIONS, ensure_topics
from tests.support import infra

pytestmark = pytest.mark.integration


def test_created_topics_have_partitions_and_no_retention_limit(kafka_bootstrap: str) -> None:
    name = infra.unique("test.topics.")
    assert ensure_topics(kafka_bootstrap, [name, name]) == [name]  # a name given twice is created once
    assert ensure_topics(kafka_bootstrap, [name]) == []  # a second call finds it and creates nothing
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap.split(","))
    try:
        (described,) = admin.describe_topics([name])
        assert len(described["partitions"]) == PARTITIONS
        described_configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
        configs = described_configs["topic"][name]
        assert configs["retention.ms"]["value"] == "-1"
        assert configs["retention.bytes"]["value"] == "-1"
    finally:
        admin.delete_topics([name])
        admin.close()
