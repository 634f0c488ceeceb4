"""Elasticsearch's `_search` over one pooled HTTP client, for the search route on the event loop.

The search route sends one request per new query, so the cost of each call is what counts. Profiled
under load (py-spy, README "Benchmarks"), elasticsearch-py's async client took about a third of
the event loop's busy time (1 ms of a request's 3): parameter rewriting, its transport's node pool
and retries, OpenTelemetry spans, and the standard-library JSON both ways. This sends the very body
the client sent (gateway.search.query.search_body) as a POST to `/<index>/_search` on a kept-alive
aiohttp connection, encoded and decoded with orjson. The answer and the failures are the client's:
Elasticsearch unreachable, timed out or overloaded (429, 502, 503, 504) is retried as
elastic_transport does (3 more tries) and then `Unavailable`; any other error status is a bug and
raised as such.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp
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


class SearchClient:
    """POST bodies to `<url>/<index>/_search` on pooled connections; made and closed on the event loop."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self._url = url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use, inside the loop that serves the requests (aiohttp binds a session to it).
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=CONNECTIONS, ttl_dns_cache=300),
                timeout=self._timeout,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                # No Accept-Encoding: gzip on a loopback answer cost both sides CPU and saved nothing.
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
            )
        return self._session

    async def search(
        self, index: str, body: dict[str, Any], *, filter_path: list[str], ignore_unavailable: bool = True
    ) -> dict[str, Any]:
        """Elasticsearch's answer to `body` on `index` (only the parts `filter_path` names)."""
        path = f"{self._url}/{quote(index, safe='')}/_search"
        params = {"filter_path": ",".join(filter_path)}
        if ignore_unavailable:
            params["ignore_unavailable"] = "true"
        data = orjson.dumps(body)
        session = self._open()
        reason = ""
        for _ in range(1 + MAX_RETRIES):
            try:
                async with session.post(path, params=params, data=data) as response:
                    raw = await response.read()
                    status = response.status
            except TimeoutError:
                # Not retried (elastic_transport's retry_on_timeout is off): the caller waited enough.
                raise Unavailable("cannot reach Elasticsearch (ConnectionTimeout)") from None
            except aiohttp.ClientConnectionError:
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

    async def close(self) -> None:
        """Close the pooled connections (at the app's shutdown)."""
        if self._session is not None:
            await self._session.close()
            self._session = None
