"""The search index: its name, settings and mapping, and creating or dropping it.

One index holds every kind of document, told apart by the `kind` keyword, so that one query searches
them all and one terms aggregation gives the facet counts.

The Elasticsearch we run has no analysis plugins and not even the `analysis-common` module (no
`ngram`, `edge_ngram` or `cjk_bigram`): only the `standard` tokenizer, `lowercase` and `shingle`.
Chinese text is therefore indexed three ways:
- `title` / `body` with the `standard` analyzer, one token per character: a phrase query finds any
  contiguous part of a name (慈溪 and 印染 both find 慈溪市浒山印染有限公司);
- `title.bigram` / `body.bigram`, the characters joined in overlapping pairs by a `shingle` filter
  (the CJK bigram analyzer rebuilt from core parts): parts that are not contiguous (慈溪印染) still
  match most of their pairs, and fewer, rarer pairs score higher;
- `title.raw`, the whole name as one lower-cased keyword: the exact name ranks first.
Natural keys (USCC, permit numbers, station ids) are keywords matched exactly or by prefix.
"""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)

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
    "inspection",
    "draw",
)

# Bumped whenever SETTINGS or MAPPING change: an index made with an older one answers badly until
# `python -m gateway.search.rebuild` makes it again (ensure() says so in the log).
MAPPING_VERSION = 2

SETTINGS: dict[str, Any] = {
    "analysis": {
        "filter": {
            "bigrams": {
                "type": "shingle",
                "min_shingle_size": 2,
                "max_shingle_size": 2,
                "output_unigrams": False,
                # A one-character text (厂) is still one token, so it can be found.
                "output_unigrams_if_no_shingles": True,
                "token_separator": "",
            }
        },
        "analyzer": {
            "cjk_bigrams": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "bigrams"]}
        },
        # USCCs and permit numbers are upper case; people type them in lower case too.
        "normalizer": {"folded": {"type": "custom", "filter": ["lowercase"]}},
    }
}

_TEXT: dict[str, Any] = {
    "type": "text",
    "analyzer": "standard",
    "fields": {"bigram": {"type": "text", "analyzer": "cjk_bigrams"}},
}

MAPPING: dict[str, Any] = {
    "_meta": {"version": MAPPING_VERSION},
    # Fields not listed here are kept in _source but not indexed: nothing searchable appears by accident.
    "dynamic": False,
    "properties": {
        "kind": {"type": "keyword"},
        # The natural key (USCC, permit number, station id, alarm id), exact and by prefix, any case.
        "ref": {"type": "keyword", "normalizer": "folded"},
        "title": {
            **_TEXT,
            "fields": {
                **_TEXT["fields"],
                "raw": {"type": "keyword", "normalizer": "folded", "ignore_above": 256},
            },
        },
        "body": _TEXT,
        "town": {"type": "keyword"},
        "grid": {"type": "keyword"},
        "location": {"type": "geo_point"},
        "status": {"type": "keyword"},
        # When the record happened (an alarm's opening, a permit's start): the time-range filter.
        "time": {"type": "date"},
        "open_alarms": {"type": "keyword"},
        # What the map and the result list show; merged field by field by partial updates.
        "props": {"type": "object", "enabled": False},
    },
}


def index_name(prefix: str) -> str:
    """The index's name under a prefix (tests take their own prefix)."""
    return f"{prefix}search"


def ensure(es: Elasticsearch, name: str) -> None:
    """Create the index with its settings and mapping unless it exists (warn if it is outdated)."""
    if es.indices.exists(index=name):
        found: dict[str, Any] = dict(es.indices.get_mapping(index=name).body)
        first: dict[str, Any] = next(iter(found.values()), {})
        meta: dict[str, Any] = first.get("mappings", {}).get("_meta", {})
        if meta.get("version") != MAPPING_VERSION:
            log.warning(
                "search index %s has mapping version %s, not %s: run python -m gateway.search.rebuild",
                name,
                meta.get("version"),
                MAPPING_VERSION,
            )
        return
    es.options(ignore_status=400).indices.create(index=name, settings=SETTINGS, mappings=MAPPING)
    # A search before the primary shard is active fails with 503; wait until it can answer.
    es.cluster.health(index=name, wait_for_status="yellow", timeout="30s")


def drop(es: Elasticsearch, name: str) -> None:
    """Delete the index (and its documents); a missing index is fine."""
    es.options(ignore_status=404).indices.delete(index=name)
