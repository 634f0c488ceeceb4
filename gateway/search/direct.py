"""Elasticsearch's `_search` over kept-alive HTTP/1.1 connections, for the search route on the event loop.

The search route sends one request per new query, and the gateway shares its two cores with
Elasticsearch, so the CPU of each call is what counts (README "Benchmarks", issue 16):

- elasticsearch-py's async client took about a third of the event loop's busy time, 1 ms of a
  request's 3 (parameter rewriting, its node pool and retries, OpenTelemetry spans, the standard
  library's JSON both ways);
- aiohttp, which replaced it, still cost 0.8 ms of gateway CPU per call under load (its request and
  response objects, URL and header handling, timers and tracing hooks); a second Python HTTP
  exchange on the same cores as Elasticsearch, measured against a bare ASGI app doing the same
  call, was most of what kept the route from its target.

So this speaks the little HTTP the call needs: one POST of the very body the client sent
(gateway.search.query.search_body), encoded and decoded with orjson, on a connection kept from the
last call, with the answer read by httptools (the parser uvicorn uses for the gateway's own
requests: chunked and sized bodies, keep-alive). The answer and the failures are elasticsearch-py's:
Elasticsearch unreachable or overloaded (429, 502, 503, 504) is retried as elastic_transport does
(3 more tries) and then `Unavailable`; a timeout is `Unavailable` at once; any other status is a bug
and raised as `SearchFailed`.
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
# The connections elasticsearch-py kept per node: more callers wait for one instead of opening more.
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


class _Dropped(Exception):
    """The connection closed or sent what is not HTTP before the answer was whole: worth a retry."""


class _Connection(asyncio.Protocol):
    """One kept-alive connection carrying one exchange at a time (no pipelining)."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._body: list[bytes] = []
        self._answer: asyncio.Future[tuple[int, bytes]] | None = None
        self.reusable = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's is not a subclass of asyncio.Transport, hence no isinstance).
        self._transport = cast(asyncio.Transport, transport)
        self.reusable = True

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(_Dropped(f"not an HTTP answer: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(_Dropped("connection closed"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self.reusable = self._parser.should_keep_alive()
        body, self._body = b"".join(self._body), []
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            answer.set_result((self._parser.get_status_code(), body))

    # the exchange
    def send(self, request: bytes, answer: asyncio.Future[tuple[int, bytes]]) -> None:
        assert self._transport is not None
        self._answer = answer
        self._transport.write(request)

    def close(self) -> None:
        self.reusable = False
        if self._transport is not None:
            self._transport.close()

    def _fail(self, exc: Exception) -> None:
        self.close()
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            answer.set_exception(exc)


class SearchClient:
    """POST bodies to `<url>/<index>/_search` on pooled connections; used and closed on one event loop."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"Elasticsearch URL must be http(s)://host[:port], got {url!r}")
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._ssl = ssl.create_default_context() if parts.scheme == "https" else None
        self._prefix = parts.path.rstrip("/")
        headers = f"Host: {parts.netloc.rpartition('@')[2]}\r\n"
        if parts.username is not None:
            secret = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            headers += f"Authorization: Basic {base64.b64encode(secret).decode()}\r\n"
        self._headers = headers + "Content-Type: application/json\r\nAccept: application/json\r\n"
        self._timeout = timeout
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(CONNECTIONS)
        self._heads: dict[tuple[str, str, bool], bytes] = {}

    def _head(self, index: str, filter_path: str, ignore_unavailable: bool) -> bytes:
        """The request line and headers up to Content-Length's value, made once per kind of call."""
        key = (index, filter_path, ignore_unavailable)
        head = self._heads.get(key)
        if head is None:
            params = {"filter_path": filter_path}
            if ignore_unavailable:
                params["ignore_unavailable"] = "true"
            target = f"{self._prefix}/{quote(index, safe='')}/_search?{urlencode(params, safe=',')}"
            # No Accept-Encoding: gzip on a loopback answer cost both sides CPU and saved nothing.
            head = f"POST {target} HTTP/1.1\r\n{self._headers}Content-Length: ".encode("latin-1")
            self._heads[key] = head
        return head

    async def search(
        self, index: str, body: dict[str, Any], *, filter_path: list[str], ignore_unavailable: bool = True
    ) -> dict[str, Any]:
        """Elasticsearch's answer to `body` on `index` (only the parts `filter_path` names)."""
        data = orjson.dumps(body)
        head = self._head(index, ",".join(filter_path), ignore_unavailable)
        request = b"%s%d\r\n\r\n%s" % (head, len(data), data)
        reason = ""
        for _ in range(1 + MAX_RETRIES):
            try:
                status, raw = await self._exchange(request)
            except TimeoutError:
                # Not retried (elastic_transport's retry_on_timeout is off): the caller waited enough.
                raise Unavailable("cannot reach Elasticsearch (ConnectionTimeout)") from None
            except (OSError, _Dropped):
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

    async def _exchange(self, request: bytes) -> tuple[int, bytes]:
        """One request and its answer on a pooled connection, within the timeout (connecting included)."""
        loop = asyncio.get_running_loop()
        async with self._slots:
            answer: asyncio.Future[tuple[int, bytes]] = loop.create_future()
            # One timer on the answer instead of asyncio.timeout's task machinery: it is per call.
            timer = loop.call_later(self._timeout, _time_out, answer)
            connection = None
            try:
                connection = await self._connection(loop, answer)
                connection.send(request, answer)
                status_and_body = await answer
            except BaseException:
                if connection is not None:
                    connection.close()  # an exchange cut short leaves the connection in no known state
                raise
            finally:
                timer.cancel()
            if connection.reusable:
                self._idle.append(connection)
            else:
                connection.close()
            return status_and_body

    async def _connection(
        self, loop: asyncio.AbstractEventLoop, answer: asyncio.Future[tuple[int, bytes]]
    ) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable:
                return connection
        connecting = loop.create_task(
            loop.create_connection(_Connection, self._host, self._port, ssl=self._ssl)
        )
        try:
            # The answer's timer covers connecting too: it times the future out, which ends this wait.
            done, _ = await asyncio.wait((connecting, answer), return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            _abandon(connecting)  # the caller went away while connecting
            raise
        if connecting not in done:
            _abandon(connecting)
            answer.result()  # raises the timeout
        _, connection = connecting.result()
        return connection

    async def close(self) -> None:
        """Close the idle connections (at the app's shutdown; calls still running close their own)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _time_out(answer: asyncio.Future[tuple[int, bytes]]) -> None:
    if not answer.done():
        answer.set_exception(TimeoutError())


def _abandon(connecting: asyncio.Task[tuple[asyncio.BaseTransport, _Connection]]) -> None:
    """Stop connecting; a connection made all the same is closed, not left open and unused."""
    connecting.cancel()
    connecting.add_done_callback(_close_if_made)


def _close_if_made(connecting: asyncio.Task[tuple[asyncio.BaseTransport, _Connection]]) -> None:
    if not connecting.cancelled() and connecting.exception() is None:
        connecting.result()[1].close()
