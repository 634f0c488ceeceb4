"""Elasticsearch's `_search` over kept-alive HTTP/1.1 connections, for the search route on the event
loop.

The search route sends one request per new query, so the cost of each call is what counts. Profiled
under load (py-spy, README "Benchmarks"), elasticsearch-py's async client took about a third of
the event loop's busy time (1 ms of a request's 3): parameter rewriting, its transport's node pool
and retries, OpenTelemetry spans, and the standard-library JSON both ways; aiohttp in its place
still took about a fifth of the gateway's CPU on a search (its request and response objects,
cookie jar, tracing hooks, URL building, timeouts). This sends the very body the client sent
(gateway.search.query.search_body), encoded with orjson, as a POST to `/<index>/_search` written
in one piece on an asyncio connection of its own pool, and reads the answer with httptools' parser
(the C parser uvicorn serves the gateway with) and orjson.

The answer and the failures are elasticsearch-py's: Elasticsearch unreachable, closing the
connection, or overloaded (429, 502, 503, 504) is retried as elastic_transport does (3 more tries)
and then `Unavailable`; a timeout is `Unavailable` at once; any other error status is a bug and
raised as such. `http` and `https` URLs are served, with credentials in the URL sent as HTTP Basic
authentication (RFC 7617), as the client did.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from typing import Any, cast
from urllib.parse import quote, unquote, urlencode, urlsplit

import httptools
import orjson

# elastic_transport's defaults, kept so that an overloaded or restarting server is met the same way.
RETRY_STATUSES = (429, 502, 503, 504)
MAX_RETRIES = 3
# The same connections elasticsearch-py kept per node: more wait for one instead of opening more.
CONNECTIONS = 10


class Unavailable(Exception):
    """Elasticsearch could not answer: unreachable, timed out, or overloaded (status 429/502/503/504)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SearchFailed(Exception):
    """Elasticsearch refused the request (a status not retried): a bug in the query, never bad input."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"Elasticsearch answered {status}: {body[:500]!r}")
        self.status = status


class _Connection(asyncio.Protocol):
    """One kept-alive HTTP/1.1 connection: one request at a time, its answer read by httptools."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._answer: asyncio.Future[tuple[int, bytes, bool]] | None = None
        self._body: list[bytes] = []
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """asyncio: connected."""
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods.
        self._transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        """asyncio: closed by either side; a request waiting for its answer fails (and is retried)."""
        self.lost = True
        self._fail(ConnectionResetError("Elasticsearch closed the connection"))

    def data_received(self, data: bytes) -> None:
        """asyncio: bytes of an answer, fed to the parser (its callbacks below)."""
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ConnectionError(f"unreadable HTTP answer: {exc}"))
            self.close()

    def on_body(self, body: bytes) -> None:
        """httptools: a piece of the body (de-chunked)."""
        self._body.append(body)

    def on_message_complete(self) -> None:
        """httptools: the answer is whole."""
        if self._answer is not None and not self._answer.done():
            status = self._parser.get_status_code()
            self._answer.set_result((status, b"".join(self._body), self._parser.should_keep_alive()))

    def _fail(self, error: Exception) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error)

    async def exchange(self, request: bytes) -> tuple[int, bytes, bool]:
        """Send a whole request; its status, body and whether the connection may be used again."""
        if self._transport is None or self.lost:
            raise ConnectionResetError("Elasticsearch closed the connection")
        self._body = []
        self._answer = self._loop.create_future()
        self._transport.write(request)
        return await self._answer

    def close(self) -> None:
        """Close the connection (an answer not read whole leaves it unusable)."""
        self.lost = True
        if self._transport is not None:
            self._transport.close()


class SearchClient:
    """POST bodies to `<url>/<index>/_search` on pooled connections; used and closed on one event loop."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._ssl = ssl.create_default_context() if parts.scheme == "https" else None
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        host = self._host if parts.port is None else f"{self._host}:{parts.port}"
        headers = [f"Host: {host}", "Content-Type: application/json", "Accept: application/json"]
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            headers.append(f"Authorization: Basic {base64.b64encode(pair).decode()}")
        # No Accept-Encoding: gzip on a loopback answer cost both sides CPU and saved nothing.
        self._headers = "".join(f"{h}\r\n" for h in headers)
        self._idle: list[_Connection] = []
        self._slots: asyncio.Semaphore | None = None

    async def search(
        self, index: str, body: dict[str, Any], *, filter_path: list[str], ignore_unavailable: bool = True
    ) -> dict[str, Any]:
        """Elasticsearch's answer to `body` on `index` (only the parts `filter_path` names)."""
        params = {"filter_path": ",".join(filter_path)}
        if ignore_unavailable:
            params["ignore_unavailable"] = "true"
        target = f"{self._prefix}/{quote(index, safe='')}/_search?{urlencode(params, safe=',')}"
        data = orjson.dumps(body)
        head = f"POST {target} HTTP/1.1\r\n{self._headers}Content-Length: {len(data)}\r\n\r\n"
        request = head.encode("latin-1") + data
        if self._slots is None:
            self._slots = asyncio.Semaphore(CONNECTIONS)
        reason = ""
        async with self._slots:
            for _ in range(1 + MAX_RETRIES):
                try:
                    async with asyncio.timeout(self._timeout):
                        status, raw = await self._send(request)
                except TimeoutError:
                    # Not retried (elastic_transport's retry_on_timeout is off): the caller waited enough.
                    raise Unavailable("cannot reach Elasticsearch (ConnectionTimeout)") from None
                except OSError:
                    # Refused, reset, or a kept-alive connection the server had closed: try again.
                    reason = "cannot reach Elasticsearch (ConnectionError)"
                    continue
                if status == 200:
                    found: dict[str, Any] = orjson.loads(raw)
                    return found
                if status in RETRY_STATUSES:
                    reason = f"Elasticsearch answered {status}"
                    continue
                raise SearchFailed(status, raw)
        raise Unavailable(reason)

    async def _send(self, request: bytes) -> tuple[int, bytes]:
        """One exchange on an idle connection, or a new one; the connection is kept if it may be."""
        connection = self._take_idle() or await self._connect()
        try:
            status, raw, keep = await connection.exchange(request)
        except BaseException:
            connection.close()  # cancelled or failed halfway: its answer may still come
            raise
        if keep and not connection.lost:
            self._idle.append(connection)
        else:
            connection.close()
        return status, raw

    def _take_idle(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if not connection.lost:  # else the server closed it while it was idle
                return connection
        return None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            lambda: _Connection(loop), self._host, self._port, ssl=self._ssl
        )
        return connection

    async def close(self) -> None:
        """Close the pooled connections (at the app's shutdown)."""
        while self._idle:
            self._idle.pop().close()
