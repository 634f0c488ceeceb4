"""Search and map queries: pure functions from request parameters to Elasticsearch bodies and back.

Words are matched three ways (gateway.search.index): the exact name first, then any contiguous part
of a name as a phrase of characters ("宗汉电镀" finds 慈溪市宗汉电镀厂, not every name containing 电),
then most of its character pairs (慈溪印染 finds 慈溪市浒山印染有限公司). Natural keys (USCC, permit
number) match exactly or by prefix, in any case. One request to Elasticsearch answers the hits, the
highlights and every facet count.
"""

from __future__ import annotations

import html
import re
from typing import Any

from gateway.search import filters as search_filters
from gateway.search.bbox import BBox, parse_bbox
from gateway.search.index import KINDS
from shared import paging
from shared.errors import InvalidArgument
from shared.vocabulary import CREDIT_LEVELS

__all__ = ["BBox", "parse_bbox"]

MAX_SIZE = 100
# Elasticsearch's default index.max_result_window: from + size beyond it is refused by the server.
MAX_WINDOW = 10_000
MAX_QUERY_CHARS = 200
# More features than this in one layer response is a zoom problem, not a map.
MAX_FEATURES = 5_000

# Map layers with data, and the document kind each draws.
LAYER_KINDS = {
    "enterprises": "enterprise",
    "stations": "station",
    "alarms": "alarm",
    "hazards": "hazard",
    "emergencies": "emergency",
    "depots": "depot",
    "problems": "problem",
    "petitions": "petition",
}
# Layers DESIGN.md names whose source services publish nothing yet: empty, with a note.
PENDING_LAYERS: tuple[str, ...] = ()
# What a layer shows when no status is asked for: cleared alarms, closed hazards, closed emergencies,
# closed problems (销号) and closed petitions drop off the map (they stay searchable). Depots show
# every status.
LAYER_DEFAULT_STATUS = {"alarms": "open"}
LAYER_HIDDEN_STATUS = {
    "hazards": "closed",
    "emergencies": "closed",
    "problems": "closed",
    "petitions": "closed",
}
LAYERS = (*LAYER_KINDS, *PENDING_LAYERS)
PENDING_NOTE = "no source publishes this layer yet"


def check_paging(size: int, start: int) -> None:
    """InvalidArgument unless 1 <= size <= MAX_SIZE, from >= 0 and the window fits the server's."""
    if not 1 <= size <= MAX_SIZE:
        raise InvalidArgument("size", f"must be 1..{MAX_SIZE}, got {size}")
    if start < 0:
        raise InvalidArgument("from", f"must not be negative, got {start}")
    if start + size > MAX_WINDOW:
        raise InvalidArgument("from", f"from + size must not exceed {MAX_WINDOW}, got {start + size}")


# What search_results reads of a response: the rest is never sent, parsed or copied.
SEARCH_FILTER_PATH = [
    "hits.total",
    "hits.hits._score",
    "hits.hits._source",
    "hits.hits.highlight",
    "aggregations",
]
SEARCH_SOURCE = ["kind", "ref", "title", "body", "town", "location", "status"]


# Facets beside the kinds: the field counted and how many values are returned at most.
# Statuses: every kind's lifecycle words together (permits, stations, alarms, problem stages, hazards,
# petitions, inspection outcomes...) are more than 20.
FACETS = {"town": 30, "grid": 50, "status": 60}
# Of a text's character pairs, how many must match: all of one or two, three in four beyond.
PAIRS_TO_MATCH = "2<75%"
# A natural key is ASCII letters, digits and dashes (USCC GB 32100-2015, permit numbers, station ids).
_KEY = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_:.\-]*$")
MIN_PREFIX_CHARS = 4


def _words(text: str) -> list[dict[str, Any]]:
    # Boosts: exact name or key >> a key's prefix > the text in a title > in a body; the phrase
    # clauses and the pair clauses overlap on purpose, so a contiguous match outscores a scattered one.
    folded = text.lower()
    should: list[dict[str, Any]] = [
        {"term": {"title.raw": {"value": folded, "boost": 20}}},
        {"term": {"ref": {"value": folded, "boost": 20}}},
        {"match_phrase": {"title": {"query": text, "boost": 6}}},
        {"match_phrase": {"body": {"query": text, "boost": 1}}},
        {"match": {"title.bigram": {"query": text, "minimum_should_match": PAIRS_TO_MATCH, "boost": 2}}},
        {"match": {"body.bigram": {"query": text, "minimum_should_match": PAIRS_TO_MATCH, "boost": 0.5}}},
    ]
    if len(text) >= MIN_PREFIX_CHARS and _KEY.match(text):
        should.append({"prefix": {"ref": {"value": folded, "boost": 8}}})
    return should


def search_body(
    q: str,
    *,
    kind: str = "",
    filters: search_filters.SearchFilters | None = None,
    size: int = 20,
    start: int = 0,
) -> dict[str, Any]:
    """The body of a search over every kind: words or a natural key, the filters, facets, highlights."""
    text = q.strip()
    if not text:
        raise InvalidArgument("q", "must not be empty")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidArgument("q", f"must be at most {MAX_QUERY_CHARS} characters, got {len(text)}")
    if kind and kind not in KINDS:
        raise InvalidArgument("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    check_paging(size, start)
    aggs: dict[str, Any] = {"kinds": {"terms": {"field": "kind", "size": len(KINDS)}}}
    aggs.update({field: {"terms": {"field": field, "size": most}} for field, most in FACETS.items()})
    body: dict[str, Any] = {
        "query": {
            "bool": {
                "should": _words(text),
                "minimum_should_match": 1,
                "filter": search_filters.clauses(filters or search_filters.SearchFilters()),
            }
        },
        # Facets count what the query and the filters match; the kind filter narrows only the hits.
        "aggs": aggs,
        # encoder html: the stored text in a fragment is HTML-escaped, so <em> is its only markup and
        # a console showing snippets as HTML cannot be made to run a script kept in an address.
        "highlight": {
            "fields": {"title": {}, "body": {}},
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "encoder": "html",
        },
        # Equal scores in the order of the natural key: the same answer from any copy of the index.
        "sort": ["_score", {"ref": "asc"}],
        "from": start,
        "size": size,
        "track_total_hits": True,
        "_source": SEARCH_SOURCE,
    }
    if kind:
        body["post_filter"] = {"term": {"kind": kind}}
    return body


def page_start(page_token: str, start: int) -> int:
    """The offset a page token resumes at (the `from` parameter when there is no token)."""
    key = paging.decode(page_token)
    if key is None:
        return start
    if not key.isdigit():
        raise InvalidArgument("page_token", "not a token this route returned")
    return int(key)


def _fragments(highlight: dict[str, list[str]]) -> list[str]:
    # The index has one token per Chinese character, so a phrase comes back as <em>宗</em><em>汉</em>:
    # join the marks of neighbouring characters (the escaped text cannot hold a literal tag).
    return [f.replace("</em><em>", "") for f in [*highlight.get("body", []), *highlight.get("title", [])]]


def search_results(response: dict[str, Any], *, size: int, start: int) -> dict[str, Any]:
    """The API's answer from an Elasticsearch search response."""
    results = []
    for hit in response["hits"].get("hits", []):  # filter_path leaves out an empty list
        source = hit["_source"]
        fragments = _fragments(hit.get("highlight", {}))
        results.append(
            {
                "kind": source.get("kind", ""),
                "id": source.get("ref", ""),
                "title": source.get("title", ""),
                "snippet": " … ".join(fragments) if fragments else html.escape(source.get("body", "")[:160]),
                "town": source.get("town", ""),
                "location": source.get("location"),
                "status": source.get("status", ""),
                "score": hit.get("_score"),
            }
        )
    aggregations = response.get("aggregations", {})

    def counts(name: str) -> dict[str, int]:
        return {b["key"]: b["doc_count"] for b in aggregations.get(name, {}).get("buckets", [])}

    kinds = counts("kinds")
    total = response["hits"]["total"]["value"]
    following = start + size
    more = following < total and following < MAX_WINDOW
    return {
        "total": total,
        "from": start,
        "size": size,
        "results": results,
        "facets": {kind: kinds.get(kind, 0) for kind in KINDS},
        "facet_counts": {field: counts(field) for field in FACETS},
        "next_page_token": paging.encode(str(following)) if more else "",
    }


def map_body(layer: str, *, bbox: BBox | None, town: str = "", status: str = "") -> dict[str, Any]:
    """The body of one map layer's query: its kind, located, within the box, by town and status."""
    filters: list[dict[str, Any]] = [
        {"term": {"kind": LAYER_KINDS[layer]}},
        {"exists": {"field": "location"}},
    ]
    if bbox is not None:
        filters.append(search_filters.geo_box(bbox))
    if town:
        filters.append({"term": {"town": town}})
    query: dict[str, Any] = {"filter": filters}
    if status or layer in LAYER_DEFAULT_STATUS:
        filters.append({"term": {"status": status or LAYER_DEFAULT_STATUS[layer]}})
    elif layer in LAYER_HIDDEN_STATUS:
        query["must_not"] = [{"term": {"status": LAYER_HIDDEN_STATUS[layer]}}]
    return {"query": {"bool": query}, "size": MAX_FEATURES, "sort": [{"ref": "asc"}]}


def credit_look(level: str) -> dict[str, str]:
    """An enterprise feature's credit level and its colour and label (shared.vocabulary: the same as
    the printed code frames); an enterprise evaluation has not rated yet is "unrated", in grey."""
    word = level.lower() if level.lower() in CREDIT_LEVELS else "unrated"
    look = CREDIT_LEVELS[word]
    return {"credit_level": word, "colour": look.colour, "credit_label": look.label}


def feature_collection(layer: str, response: dict[str, Any] | None) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of the hits (coordinates [lon, lat]); empty with a note if pending."""
    collection: dict[str, Any] = {"type": "FeatureCollection", "layer": layer, "features": []}
    if response is None:
        collection["note"] = PENDING_NOTE
        return collection
    for hit in response["hits"].get("hits", []):  # filter_path leaves out an empty list
        source = hit["_source"]
        location = source["location"]
        properties = {
            "kind": source.get("kind", ""),
            "id": source.get("ref", ""),
            "title": source.get("title", ""),
            "town": source.get("town", ""),
            "status": source.get("status", ""),
            **source.get("props", {}),
        }
        if layer == "enterprises":
            properties.update(credit_look(properties.get("credit_level", "")))
        collection["features"].append(
            {
                "type": "Feature",
                "id": source.get("ref", hit["_id"]),
                "geometry": {"type": "Point", "coordinates": [location["lon"], location["lat"]]},
                "properties": properties,
            }
        )
    collection["truncated"] = response["hits"]["total"]["value"] > len(collection["features"])
    return collection
