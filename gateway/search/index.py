"""The search index: its name and mapping, and creating or dropping it.

One index holds every kind of document, told apart by the `kind` keyword, so that one query searches
them all and one terms aggregation gives the facet counts. The Elasticsearch we run has only the
`standard` analyzer: Chinese text is indexed one character per token, so queries match phrases.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

# Every kind a document may have; the search facets report each of them (zero when none).
KINDS = (
    "enterprise",
    "permit",
    "outlet",
    "station",
    "alarm",
    "problem",
    "hazard",
    "emergency",
    "depot",
    "petition",
)

MAPPING: dict[str, Any] = {
    # Fields not listed here are kept in _source but not indexed: nothing searchable appears by accident.
    "dynamic": False,
    "properties": {
        "kind": {"type": "keyword"},
        # The natural key (USCC, permit number, station id, alarm id), found by an exact match too.
        "ref": {"type": "keyword"},
        "title": {"type": "text", "analyzer": "standard"},
        "body": {"type": "text", "analyzer": "standard"},
        "town": {"type": "keyword"},
        "location": {"type": "geo_point"},
        "status": {"type": "keyword"},
        "open_alarms": {"type": "keyword"},
        # What the map and the result list show; merged field by field by partial updates.
        "props": {"type": "object", "enabled": False},
    },
}


def index_name(prefix: str) -> str:
    """The index's name under a prefix (tests take their own prefix)."""
    return f"{prefix}search"


def ensure(es: Elasticsearch, name: str) -> None:
    """Create the index with its mapping unless it exists."""
    if es.indices.exists(index=name):
        return
    es.options(ignore_status=400).indices.create(index=name, mappings=MAPPING)
    # A search before the primary shard is active fails with 503; wait until it can answer.
    es.cluster.health(index=name, wait_for_status="yellow", timeout="30s")


def drop(es: Elasticsearch, name: str) -> None:
    """Delete the index (and its documents); a missing index is fine."""
    es.options(ignore_status=404).indices.delete(index=name)
