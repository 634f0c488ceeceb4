"""Search and map queries: pure functions from request parameters to Elasticsearch bodies and back.

The index is analysed per character (the `standard` analyzer on Chinese), so text is matched as a
phrase: "宗汉电镀" finds 慈溪市宗汉电镀厂, not every name containing 电.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

from gateway.search.index import KINDS
from shared.errors import InvalidArgument
from shared.vocabulary import CREDIT_LEVELS

MAX_SIZE = 100
# Elasticsearch's default index.max_result_window: from + size beyond it is refused by the server.
MAX_WINDOW = 10_000
MAX_QUERY_CHARS = 200
# More features than this in one layer response is a zoom problem, not a map.
MAX_FEATURES = 5_000

# Map layers with data, and the document kind each draws.
LAYER_KINDS = {"enterprises": "enterprise", "stations": "station", "alarms": "alarm"}
# Layers DESIGN.md names whose source services publish nothing yet: empty, with a note.
PENDING_LAYERS = ("problems", "hazards", "emergencies", "depots", "petitions")
LAYERS = (*LAYER_KINDS, *PENDING_LAYERS)
PENDING_NOTE = "no source publishes this layer yet"


@dataclass(frozen=True)
class BBox:
    """A bounding box in WGS 84 degrees (RFC 7946 section 5 order: west, south, east, north)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def parse_bbox(raw: str | None) -> BBox | None:
    """`min_lon,min_lat,max_lon,max_lat` -> BBox; InvalidArgument("bbox", why) if malformed."""
    if raw is None or raw.strip() == "":
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise InvalidArgument("bbox", f"expected 4 numbers min_lon,min_lat,max_lon,max_lat, got {len(parts)}")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise InvalidArgument(
            "bbox", f"expected 4 numbers min_lon,min_lat,max_lon,max_lat, got {raw!r}"
        ) from None
    if not all(math.isfinite(n) for n in numbers):
        raise InvalidArgument("bbox", "numbers must be finite")
    min_lon, min_lat, max_lon, max_lat = numbers
    for value, name in ((min_lon, "min_lon"), (max_lon, "max_lon")):
        if not -180 <= value <= 180:
            raise InvalidArgument("bbox", f"{name} must lie in -180..180, got {value}")
    for value, name in ((min_lat, "min_lat"), (max_lat, "max_lat")):
        if not -90 <= value <= 90:
            raise InvalidArgument("bbox", f"{name} must lie in -90..90, got {value}")
    if not min_lon < max_lon:
        raise InvalidArgument("bbox", f"min_lon must be less than max_lon, got {min_lon} >= {max_lon}")
    if not min_lat < max_lat:
        raise InvalidArgument("bbox", f"min_lat must be less than max_lat, got {min_lat} >= {max_lat}")
    return BBox(min_lon, min_lat, max_lon, max_lat)


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


def search_body(q: str, *, kind: str = "", town: str = "", size: int = 20, start: int = 0) -> dict[str, Any]:
    """The body of a search over every kind: phrase match on text or an exact natural key."""
    text = q.strip()
    if not text:
        raise InvalidArgument("q", "must not be empty")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidArgument("q", f"must be at most {MAX_QUERY_CHARS} characters, got {len(text)}")
    if kind and kind not in KINDS:
        raise InvalidArgument("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    check_paging(size, start)
    filters: list[dict[str, Any]] = [{"term": {"town": town}}] if town else []
    body: dict[str, Any] = {
        "query": {
            "bool": {
                "should": [
                    {"multi_match": {"query": text, "type": "phrase", "fields": ["title^3", "body"]}},
                    {
                        "term": {
                            "ref": {"value": text.upper() if _looks_like_code(text) else text, "boost": 5}
                        }
                    },
                ],
                "minimum_should_match": 1,
                "filter": filters,
            }
        },
        # Facets count every kind the query matches; the kind filter narrows only the hits.
        "aggs": {"kinds": {"terms": {"field": "kind", "size": len(KINDS)}}},
        # encoder html: the stored text in a fragment is HTML-escaped, so <em> is its only markup and
        # a console showing snippets as HTML cannot be made to run a script kept in an address.
        "highlight": {
            "fields": {"title": {}, "body": {}},
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "encoder": "html",
        },
        "from": start,
        "size": size,
        "track_total_hits": True,
        "_source": SEARCH_SOURCE,
    }
    if kind:
        body["post_filter"] = {"term": {"kind": kind}}
    return body


def _looks_like_code(text: str) -> bool:
    # USCCs are upper case (GB 32100-2015 alphabet); people type them in lower case too.
    return len(text) == 18 and text.isalnum() and text.isascii()


def search_results(response: dict[str, Any], *, size: int, start: int) -> dict[str, Any]:
    """The API's answer from an Elasticsearch search response."""
    results = []
    for hit in response["hits"].get("hits", []):  # filter_path leaves out an empty list
        source = hit["_source"]
        fragments = [*hit.get("highlight", {}).get("body", []), *hit.get("highlight", {}).get("title", [])]
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
    buckets = response.get("aggregations", {}).get("kinds", {}).get("buckets", [])
    counts = {bucket["key"]: bucket["doc_count"] for bucket in buckets}
    return {
        "total": response["hits"]["total"]["value"],
        "from": start,
        "size": size,
        "results": results,
        "facets": {kind: counts.get(kind, 0) for kind in KINDS},
    }


def map_body(layer: str, *, bbox: BBox | None, town: str = "", status: str = "") -> dict[str, Any]:
    """The body of one map layer's query: its kind, located, within the box, by town and status."""
    filters: list[dict[str, Any]] = [
        {"term": {"kind": LAYER_KINDS[layer]}},
        {"exists": {"field": "location"}},
    ]
    if bbox is not None:
        box = {"top_left": {"lat": bbox.max_lat, "lon": bbox.min_lon}}
        box["bottom_right"] = {"lat": bbox.min_lat, "lon": bbox.max_lon}
        filters.append({"geo_bounding_box": {"location": box}})
    if town:
        filters.append({"term": {"town": town}})
    # Cleared alarms drop off the map unless asked for by status.
    if status or layer == "alarms":
        filters.append({"term": {"status": status or "open"}})
    return {"query": {"bool": {"filter": filters}}, "size": MAX_FEATURES, "sort": [{"ref": "asc"}]}


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
