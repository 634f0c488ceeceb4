"""Search and map query building, and bbox parsing: no server."""

from __future__ import annotations

import pytest

from gateway.search import filters, query
from shared.errors import InvalidArgument


def test_a_bbox_in_rfc7946_order_is_parsed() -> None:
    assert query.parse_bbox(" 121.0,30.0,121.55,30.4") == query.BBox(121.0, 30.0, 121.55, 30.4)
    assert query.parse_bbox(None) is None and query.parse_bbox("") is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("121,30,122", "4 numbers"),
        ("121,30,122,31,5", "4 numbers"),
        ("a,30,122,31", "4 numbers"),
        ("121,30,nan,31", "finite"),
        ("122,30,121,31", "min_lon must be less than max_lon"),
        ("121,31,122,30", "min_lat must be less than max_lat"),
        ("121,30,121,31", "min_lon must be less than max_lon"),
        ("-181,30,122,31", "min_lon must lie in -180..180"),
        ("121,30,122,91", "max_lat must lie in -90..90"),
    ],
)
def test_a_bad_bbox_names_the_field_and_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        query.parse_bbox(raw)
    assert refused.value.field == "bbox" and reason in refused.value.reason


def test_search_matches_the_exact_name_a_phrase_and_character_pairs_and_counts_facets() -> None:
    body = query.search_body(" 宗汉电镀 ", filters=filters.SearchFilters(town="宗汉"), size=10, start=20)
    should = body["query"]["bool"]["should"]
    assert {"term": {"title.raw": {"value": "宗汉电镀", "boost": 20}}} in should
    assert {"match_phrase": {"title": {"query": "宗汉电镀", "boost": 6}}} in should
    pairs = next(c["match"]["title.bigram"] for c in should if "title.bigram" in c.get("match", {}))
    assert pairs["minimum_should_match"] == query.PAIRS_TO_MATCH
    assert not any("prefix" in c for c in should)  # Chinese words are no natural key
    assert body["query"]["bool"]["filter"] == [{"term": {"town": "宗汉"}}]
    assert body["aggs"]["kinds"]["terms"]["field"] == "kind"
    assert {name for name in body["aggs"]} == {"kinds", "town", "grid", "status"}
    assert (body["from"], body["size"]) == (20, 10)
    assert body["highlight"]["encoder"] == "html"
    assert "post_filter" not in body


def test_the_kind_filter_narrows_hits_but_not_facets() -> None:
    body = query.search_body("x", kind="permit")
    assert body["post_filter"] == {"term": {"kind": "permit"}}
    assert all("kind" not in str(f) for f in body["query"]["bool"]["filter"])


def test_a_uscc_in_any_case_matches_the_natural_key_exactly_and_by_prefix() -> None:
    should = query.search_body("91330282mA2abcdE1X")["query"]["bool"]["should"]
    # The index folds keys to lower case (normalizer), so the query does too.
    assert {"term": {"ref": {"value": "91330282ma2abcde1x", "boost": 20}}} in should
    assert {"prefix": {"ref": {"value": "91330282ma2abcde1x", "boost": 8}}} in should
    assert any("prefix" in c for c in query.search_body("9133")["query"]["bool"]["should"])
    assert not any("prefix" in c for c in query.search_body("913")["query"]["bool"]["should"])


def test_every_filter_becomes_a_clause() -> None:
    narrowed = filters.parse(
        town="宗汉",
        grid="G-1",
        status="open",
        since="2026-01-01",
        until="2026-02-01T00:00:00Z",
        bbox="121,30,122,31",
    )
    clauses = query.search_body("x", filters=narrowed)["query"]["bool"]["filter"]
    assert {"term": {"grid": "G-1"}} in clauses and {"term": {"status": "open"}} in clauses
    # A date without a zone is the city's (UTC+8) midnight.
    assert {
        "range": {"time": {"gte": "2025-12-31T16:00:00+00:00", "lt": "2026-02-01T00:00:00+00:00"}}
    } in clauses
    assert any("geo_bounding_box" in c for c in clauses)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"town": "x" * 101}, "town"),
    ],
)
def test_bad_filters_are_refused_by_name(kwargs: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        filters.parse(**kwargs)
    assert refused.value.field == field


def test_a_page_token_resumes_where_the_last_page_ended() -> None:
    hits = {"hits": {"total": {"value": 45}, "hits": []}}
    first = query.search_results(hits, size=20, start=0)
    assert query.page_start(first["next_page_token"], 0) == 20
    assert query.search_results(hits, size=20, start=40)["next_page_token"] == ""
    with pytest.raises(InvalidArgument) as refused:
        query.page_start("bm90LWEtbnVtYmVy", 0)
    assert refused.value.field == "page_token"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"q": "  "}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "x", "kind": "people"}, "kind"),
        ({"q": "x", "size": 0}, "size"),
        ({"q": "x", "size": 101}, "size"),
        ({"q": "x", "start": -1}, "from"),
        ({"q": "x", "start": 9_950, "size": 100}, "from"),
    ],
)
def test_bad_search_parameters_are_refused(kwargs: dict[str, object], field: str) -> None:
    q = str(kwargs.pop("q"))
    with pytest.raises(InvalidArgument) as refused:
        query.search_body(q, **kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_map_query_filters_kind_location_box_town_and_status() -> None:
    box = query.BBox(121.0, 30.0, 121.5, 30.4)
    filters = query.map_body("enterprises", bbox=box, town="周巷", status="issued")["query"]["bool"]["filter"]
    assert {"term": {"kind": "enterprise"}} in filters
    assert {"exists": {"field": "location"}} in filters
    geo = {"top_left": {"lat": 30.4, "lon": 121.0}, "bottom_right": {"lat": 30.0, "lon": 121.5}}
    assert {"geo_bounding_box": {"location": geo}} in filters
    assert {"term": {"town": "周巷"}} in filters and {"term": {"status": "issued"}} in filters


def test_the_alarm_layer_shows_open_alarms_unless_asked_otherwise() -> None:
    assert {"term": {"status": "open"}} in query.map_body("alarms", bbox=None)["query"]["bool"]["filter"]
    cleared = query.map_body("alarms", bbox=None, status="cleared")["query"]["bool"]["filter"]
    assert {"term": {"status": "cleared"}} in cleared and {"term": {"status": "open"}} not in cleared
    assert not any(
        "status" in str(f) for f in query.map_body("stations", bbox=None)["query"]["bool"]["filter"]
    )


def test_features_put_longitude_first() -> None:
    source = {"kind": "station", "ref": "S1", "title": "站", "location": {"lat": 30.2, "lon": 121.3}}
    response = {"hits": {"total": {"value": 1}, "hits": [{"_id": "station:S1", "_source": source}]}}
    collection = query.feature_collection("stations", response)
    assert collection["features"][0]["geometry"] == {"type": "Point", "coordinates": [121.3, 30.2]}
    assert collection["truncated"] is False and "note" not in collection


def test_a_layer_without_a_source_yet_is_empty_with_a_note() -> None:
    collection = query.feature_collection("future", None)
    assert collection["features"] == [] and collection["note"] == query.PENDING_NOTE


def test_results_carry_the_fields_and_a_zero_for_kinds_not_found() -> None:
    hit = {
        "_score": 2.5,
        "_source": {"kind": "enterprise", "ref": "U1", "title": "厂", "body": "地址", "town": "宗汉"},
        "highlight": {"title": ["<em>宗</em><em>汉</em>厂"]},
    }
    response = {
        "hits": {"total": {"value": 1}, "hits": [hit]},
        "aggregations": {"kinds": {"buckets": [{"key": "enterprise", "doc_count": 1}]}},
    }
    answer = query.search_results(response, size=20, start=0)
    assert answer["results"][0] == {
        "kind": "enterprise",
        "id": "U1",
        "title": "厂",
        "snippet": "<em>宗汉</em>厂",
        "town": "宗汉",
        "location": None,
        "status": "",
        "score": 2.5,
    }
    assert answer["facets"]["enterprise"] == 1 and answer["facets"]["alarm"] == 0


def test_enterprise_features_carry_their_credit_colour_and_label() -> None:
    located = {"lat": 30.2, "lon": 121.3}
    rated = {"kind": "enterprise", "ref": "U1", "location": located, "props": {"credit_level": "yellow"}}
    unrated = {"kind": "enterprise", "ref": "U2", "location": located}
    hits = [{"_id": f"enterprise:{s['ref']}", "_source": s} for s in (rated, unrated)]
    response = {"hits": {"total": {"value": 2}, "hits": hits}}
    props = [f["properties"] for f in query.feature_collection("enterprises", response)["features"]]
    assert [(p["credit_level"], p["colour"], p["credit_label"]) for p in props] == [
        ("yellow", "#e6ab02", "环保警示企业"),
        ("unrated", "#7b8794", "尚未评价"),
    ]
