"""The gateway application: FastAPI with the routers, error mapping and trace ids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gateway import access, accounts, config, errors
from gateway.clients import ServiceClients
from gateway.edge.headers import SecurityHeaders
from gateway.edge.limits import SizeLimits
from gateway.edge.text import UrlText
from gateway.edge.trace import TraceIds
from gateway.migrations import HISTORY
from gateway.public.fresh import FreshCodePages
from gateway.public.live import LiveStatus
from gateway.public.scans import ScanCounter
from gateway.routers import all_routers
from gateway.search import indexer as search_indexer
from gateway.search.direct import SearchClient
from gateway.search.early import EarlySearch
from gateway.search.recent import RecentAnswers
from shared.db import make_engine
from shared.migrations import upgrade

# The console's scripts and styles, and the browser libraries `make web-vendor` puts in vendor/.
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _openapi_without_422(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document without FastAPI's automatic 422: a request the framework refuses is
    answered 400 in the platform's error shape (gateway.errors), which each route documents; with
    the edge's refusals (400, 413, 431) on every operation."""
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        for item in document.get("paths", {}).values():
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.get("responses", {}).pop("422", None)
        schemas = document.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        errors.document_edge_refusals(document)
        app.openapi_schema = document
    return app.openapi_schema


class Gateway(FastAPI):
    """FastAPI with the plain searches of known operators answered in front of its middleware stack
    (gateway.search.early), which gets every other request unchanged."""

    def __init__(self, *, trusted_proxies: tuple[str, ...] = (), **kwargs: Any) -> None:
        self._trusted_proxies = trusted_proxies
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack (its error middleware, the app's middlewares, the routes), fronted."""
        return EarlySearch(super().build_middleware_stack(), trusted_proxies=self._trusted_proxies)


def create_app(settings: config.GatewaySettings | None = None) -> FastAPI:
    """Build the app; connections open at start-up (lifespan), not here."""
    settings = settings or config.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings.base.database_url)
        upgrade(app.state.engine, HISTORY)
        accounts.ensure_first_admin(app.state.engine, settings.admin_token)
        app.state.clients = ServiceClients(settings)
        app.state.search = Elasticsearch(settings.base.elasticsearch_url, request_timeout=5)
        # The same server for the search route, which answers on the event loop: `_search` alone,
        # over pooled connections (gateway.search.direct: elasticsearch-py cost more than the route).
        app.state.search_direct = SearchClient(settings.base.elasticsearch_url, timeout=5)
        app.state.recent_searches = RecentAnswers[bytes](settings.search_recent_seconds)
        app.state.indexer = indexer = search_indexer.build(
            app.state.engine,
            app.state.search,
            bootstrap_servers=settings.base.kafka_bootstrap_servers,
            index_prefix=settings.search_index_prefix,
            consumer_group=settings.base.consumer_group,
            topics=settings.search_topics,
        )
        if settings.indexer_enabled:
            indexer.start()
        app.state.live_status = LiveStatus(
            ttl=settings.public_status_ttl_seconds, stale_for=settings.public_stale_seconds
        )
        app.state.scans = scans = ScanCounter(
            app.state.clients.record_scans, every=settings.scan_flush_seconds
        )
        scans.start()
        try:
            yield
        finally:
            scans.stop()
            indexer.stop()
            app.state.clients.close()
            app.state.search.close()
            await app.state.search_direct.close()
            app.state.engine.dispose()

    app = Gateway(
        trusted_proxies=tuple(settings.trusted_proxies),
        title="Eco-governance platform",
        summary="一网一中心一图一库一码: one network, one center, one map, one database, one code.",
        version="1.0.0",
        lifespan=lifespan,
        # The platform traces with its own ids (shared.tracing), not OpenTelemetry: FastAPI's native
        # telemetry would only look for a tracer and meter on every request (2 % of a search's CPU).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        # Every route's rule from gateway.roles, before the route runs (401, 403, a commissioner's area).
        dependencies=[Depends(access.authorize)],
    )
    app.state.settings = settings
    errors.install(app)

    for router in all_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    app.openapi = lambda: _openapi_without_422(app)  # type: ignore[method-assign]
    # Outermost last: security headers on every answer, refusals included; then the size limits,
    # then the real client address (forwarded headers only from configured proxies), then the URL's
    # text rule, then the trace id every answer of a route carries; innermost, the public's fresh
    # code pages, answered before routing (gateway.public.fresh). The plain searches of known
    # operators are answered in front of all of them (Gateway, gateway.search.early).
    app.add_middleware(FreshCodePages)
    app.add_middleware(TraceIds)
    app.add_middleware(UrlText, refuse=errors.edge_refusal)
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    app.add_middleware(SizeLimits, refuse=errors.edge_refusal)
    app.add_middleware(SecurityHeaders)
    return app
