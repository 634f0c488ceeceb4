"""How uvicorn serves the gateway: no forwarded headers of its own, no Server header, header limits,
the fast parts (uvloop's event loop, httptools' HTTP parser), and the start-up's objects kept out of
the garbage collector's passes.

uvloop and httptools were measured on the search route under load (README "Benchmarks"): with them
the gateway spends less CPU on each request than with asyncio's own loop and the pure-Python h11
parser. h11 refused a request head growing past a limit by itself; httptools does not, so
`BoundedHttpTools` counts the bytes of each head as they arrive and answers 400 past
HEAD_LIMIT, as h11 did, before the head is held whole (the app refuses more than HEADER_LIMIT with
431 once it sees the headers, gateway.edge.limits).
"""

from __future__ import annotations

import gc
import socket

from fastapi import FastAPI
from uvicorn import Config, Server
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.config import GatewaySettings
from gateway.edge.limits import HEADER_LIMIT

# The request line and headers together, as they arrive; the app's own limit is on the headers alone.
HEAD_LIMIT = HEADER_LIMIT + 4096


class BoundedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing (400, connection closed) a request head over HEAD_LIMIT."""

    _head_bytes = 0
    _in_head = True  # a connection starts with a head

    def on_message_begin(self) -> None:
        """A new request: its head is counted from here."""
        super().on_message_begin()
        self._in_head, self._head_bytes = True, 0

    def on_headers_complete(self) -> None:
        """The head is whole: the body is the app's to limit."""
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        """Feed the parser, unless the head being received has grown past HEAD_LIMIT."""
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > HEAD_LIMIT:
                self.send_400_response("Request head too large.")
                return
        super().data_received(data)


def server_config(app: FastAPI, settings: GatewaySettings) -> Config:
    """The uvicorn configuration of the gateway process."""
    return Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        # Uvicorn believes X-Forwarded-For from 127.0.0.1 by default, which lets any local caller (or
        # a proxy that passes the header on) choose its own address. The app decides instead, from
        # ECO_GATEWAY_TRUSTED_PROXIES (gateway.app), so the default trusts nobody.
        proxy_headers=False,
        forwarded_allow_ips="",
        server_header=False,  # "Server: uvicorn" tells a prober what to try
        loop="uvloop",
        http=BoundedHttpTools,
    )


class GatewayServer(Server):
    """uvicorn's server; once the app has started, what start-up made (modules, the app, its routes
    and models, clients: about 220,000 objects) is frozen out of the garbage collector's passes.

    Every request allocates enough for the collector to run every few requests, and its older
    generations walked all of those long-lived objects again: in-process, 130 µs of CPU per search
    with them, 80 µs without (README "Benchmarks"). Frozen objects are never freed, which costs
    nothing for objects that live as long as the process; garbage made before is collected first.
    """

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start as uvicorn does, then freeze what exists (gc.freeze, Python 3.7+)."""
        await super().startup(sockets)
        gc.collect()
        gc.freeze()
