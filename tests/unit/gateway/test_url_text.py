"""The URL's text rule (gateway.edge.text.url_problem): the parameter it names, and its one-scan
check of a clean query agreeing with a scan of every parameter."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, quote

import pytest

from gateway.edge.text import url_problem
from shared.strings import forbidden_character


def _each_parameter(query: str) -> bool:
    """Whether any name or value, decoded as the routes read them, breaks the rule."""
    return any(
        forbidden_character(name) or forbidden_character(value)
        for name, value in parse_qsl(query, keep_blank_values=True)
    )


@pytest.mark.parametrize(
    "query",
    ["q=%E5%AE%97%E6%B1%89%E7%94%B5%E9%95%80&size=20", "q=a+b&town=", "", "flag", "a%=b", "%E7%AC&%AC=1"],
)
def test_clean_queries_pass(query: str) -> None:
    assert url_problem("/api/v1/search", query) is None


def test_a_control_in_a_value_names_its_parameter() -> None:
    assert url_problem("/api/v1/search", "size=20&q=ab%00c") == ("q", "must not contain control characters")


def test_a_bidi_control_in_a_name_names_the_query() -> None:
    problem = url_problem("/api/v1/search", f"{quote(chr(0x202E))}x=1")
    assert problem == ("query", "must not contain bidirectional control characters (U+202E)")


def test_a_control_in_the_path_names_the_path() -> None:
    assert url_problem("/c/ab\x07", "") == ("path", "must not contain control characters")


def test_the_whole_query_scan_agrees_with_scanning_each_parameter() -> None:
    # Pieces that make escapes, separators and forbidden characters meet in every order.
    pieces = ["q", "=", "&", "+", "%", "%E7", "%AC", "%AC%E7", "%00", "%1F", "%E2%80%AE", "%C2%9F"]
    pieces += ["a", "宗", "%2", "%26", "%3D"]
    rng = random.Random(16)
    for _ in range(3000):
        query = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert (url_problem("/p", query) is not None) == _each_parameter(query), query
