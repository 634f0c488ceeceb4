"""gateway.search.direct against a small HTTP server standing in for Elasticsearch: the body and
parameters sent, retries of overload and of a dropped connection, and which failures are 503s."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from gateway.search.direct import SearchClient, SearchFailed, Unavailable

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _with_server(handler: Handler, use: Callable[[SearchClient], Awaitable[Any]]) -> Any:
    app = web.Application()
    app.router.add_post("/{index}/_search", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client = SearchClient(f"http://127.0.0.1:{port}", timeout=2)
    try:
        return await use(client)
    finally:
        await client.close()
        await runner.cleanup()


def test_the_body_and_filter_path_are_sent_and_the_answer_parsed() -> None:
    seen: list[tuple[str, dict[str, str], Any, str]] = []

    async def handler(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        seen.append(
            (
                request.match_info["index"],
                dict(request.query),
                body,
                request.headers.get("Accept-Encoding", ""),
            )
        )
        return web.json_response({"hits": {"total": {"value": 1}, "hits": [{"_score": 2.5}]}})

    body = {"query": {"match": {"title": "宗汉电镀"}}, "size": 20}
    found = asyncio.run(
        _with_server(
            handler, lambda c: c.search("eco-search", body, filter_path=["hits.total", "hits.hits._score"])
        )
    )
    assert found == {"hits": {"total": {"value": 1}, "hits": [{"_score": 2.5}]}}
    index, params, sent, encoding = seen[0]
    assert (index, sent) == ("eco-search", body)
    assert params == {"filter_path": "hits.total,hits.hits._score", "ignore_unavailable": "true"}
    assert "gzip" not in encoding


def test_overload_is_retried_then_unavailable() -> None:
    calls = []

    async def handler(request: web.Request) -> web.Response:
        calls.append(1)
        return web.Response(status=503 if len(calls) < 3 else 429)

    with pytest.raises(Unavailable, match="Elasticsearch answered 429"):
        asyncio.run(_with_server(handler, lambda c: c.search("i", {}, filter_path=["hits"])))
    assert len(calls) == 4  # the first try and three more, as elastic_transport does


def test_a_dropped_connection_is_tried_again() -> None:
    calls = []

    async def handler(request: web.Request) -> web.StreamResponse:
        calls.append(1)
        if len(calls) == 1:
            assert request.transport is not None
            request.transport.close()  # the server drops the connection without answering
            return web.Response()
        return web.json_response({"hits": {"total": {"value": 0}}})

    found = asyncio.run(_with_server(handler, lambda c: c.search("i", {}, filter_path=["hits"])))
    assert found == {"hits": {"total": {"value": 0}}}
    assert len(calls) == 2


def test_a_refused_query_is_a_bug_not_a_503() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=400, text='{"error":"parsing_exception"}')

    with pytest.raises(SearchFailed, match="400"):
        asyncio.run(_with_server(handler, lambda c: c.search("i", {}, filter_path=["hits"])))


def test_nobody_listening_is_unavailable() -> None:
    async def use(_: SearchClient) -> None:
        away = SearchClient("http://127.0.0.1:9", timeout=2)
        try:
            await away.search("i", {}, filter_path=["hits"])
        finally:
            await away.close()

    async def handler(request: web.Request) -> web.Response:
        return web.Response()

    with pytest.raises(Unavailable, match="cannot reach Elasticsearch"):
        asyncio.run(_with_server(handler, use))
