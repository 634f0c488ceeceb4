"""Each search test gets its own topics, index, consumer group and gateway database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from tests.integration.search.harness import SearchHarness, search_harness


@pytest.fixture
def harness(tmp_path: Path, es: Elasticsearch, kafka_bootstrap: str) -> Iterator[SearchHarness]:
    with search_harness(tmp_path, es) as h:
        yield h
