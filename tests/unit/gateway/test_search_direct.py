"""gateway.search.direct against a small HTTP server standing in for Elasticsearch: the body and
parameters sent, retries of overload and of a dropped connection, which failures are 503s, and the
connections (kept alive, closed when the answer says so or a call is cut short, at most CONNECTIONS)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from gateway.search.direct import CONNECTIONS, SearchClient, SearchFailed, Unavailable

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@contextlib.asynccontextmanager
async def _server(handler: Handler) -> AsyncIterator[str]:
    """A server answering `POST /{index}/_search` with `handler`, by its base URL."""
    app = web.Application()
    app.router.add_post("/{index}/_search", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def _with_server(handler: Handler, use: Callable[[SearchClient], Awaitable[Any]]) -> Any:
    async with _server(handler) as url:
        client = SearchClient(url, timeout=2)
        try:
            return await use(client)
        finally:
            await client.close()


async def _once(url: str, *, timeout: float = 2) -> Any:
    client = SearchClient(url, timeout=timeout)
    try:
        return await client.search("eco-search", {}, filter_path=["hits"])
    finally:
        await client.close()


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


def test_connections_are_kept_alive_between_calls() -> None:
    peers: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        assert request.transport is not None
        peers.append(request.transport.get_extra_info("peername")[1])
        return web.json_response({"hits": {"total": {"value": len(peers)}}})

    async def use(client: SearchClient) -> list[Any]:
        return [await client.search("i", {}, filter_path=["hits"]) for _ in range(3)]

    found = asyncio.run(_with_server(handler, use))
    assert [f["hits"]["total"]["value"] for f in found] == [1, 2, 3]
    assert len(set(peers)) == 1  # one connection carried the three calls


def test_an_answer_closing_its_connection_is_read_and_the_next_call_connects_again() -> None:
    peers: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        assert request.transport is not None
        peers.append(request.transport.get_extra_info("peername")[1])
        return web.json_response({"n": len(peers)}, headers={"Connection": "close"})

    async def use(client: SearchClient) -> list[Any]:
        return [await client.search("i", {}, filter_path=["n"]) for _ in range(2)]

    assert asyncio.run(_with_server(handler, use)) == [{"n": 1}, {"n": 2}]
    assert len(set(peers)) == 2


def test_a_chunked_answer_is_read_whole() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for part in (b'{"hits": {"total": ', b'{"value": 7}', b"}}"):
            await response.write(part)
        await response.write_eof()
        return response

    found = asyncio.run(_with_server(handler, lambda c: c.search("i", {}, filter_path=["hits"])))
    assert found == {"hits": {"total": {"value": 7}}}


def test_no_answer_in_time_is_unavailable_at_once() -> None:
    calls = []

    async def handler(request: web.Request) -> web.Response:
        calls.append(1)
        await asyncio.sleep(5)
        return web.Response()

    async def scenario() -> None:
        async with _server(handler) as url:
            await _once(url, timeout=0.2)

    with pytest.raises(Unavailable, match="ConnectionTimeout"):
        asyncio.run(scenario())
    assert len(calls) == 1  # not retried, as elastic_transport's retry_on_timeout is off


def test_credentials_in_the_url_are_sent_as_basic_auth_and_the_path_is_kept() -> None:
    seen: list[tuple[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.path, request.headers.get("Authorization", "")))
        return web.json_response({})

    async def scenario() -> Any:
        async with _server(handler) as url:
            return await _once(url.replace("http://", "http://eco:s%40cret@") + "/")

    assert asyncio.run(scenario()) == {}
    assert seen == [("/eco-search/_search", "Basic ZWNvOnNAY3JldA==")]  # eco:s@cret


def test_a_url_that_is_not_http_is_refused_when_configured() -> None:
    with pytest.raises(ValueError, match="http"):
        SearchClient("ftp://127.0.0.1:9200")


def test_more_callers_than_connections_wait_for_one() -> None:
    peers: set[int] = set()

    async def handler(request: web.Request) -> web.Response:
        assert request.transport is not None
        peers.add(request.transport.get_extra_info("peername")[1])
        await asyncio.sleep(0.02)
        return web.json_response({"ok": True})

    async def use(client: SearchClient) -> list[Any]:
        calls = (client.search("i", {}, filter_path=["ok"]) for _ in range(3 * CONNECTIONS))
        return list(await asyncio.gather(*calls))

    assert asyncio.run(_with_server(handler, use)) == [{"ok": True}] * (3 * CONNECTIONS)
    assert len(peers) == CONNECTIONS


def test_a_call_cut_short_closes_its_connection_and_the_next_one_is_answered() -> None:
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        if request.match_info["index"] == "slow":
            await release.wait()
        return web.json_response({"index": request.match_info["index"]})

    async def use(client: SearchClient) -> Any:
        cut = asyncio.create_task(client.search("slow", {}, filter_path=["index"]))
        await asyncio.sleep(0.05)
        cut.cancel()  # the operator's browser went away
        with pytest.raises(asyncio.CancelledError):
            await cut
        release.set()
        return await client.search("next", {}, filter_path=["index"])

    assert asyncio.run(_with_server(handler, use)) == {"index": "next"}
