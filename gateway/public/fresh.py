"""The public code page answered before routing when its status is fresh (issue 16).

Measured under wrk, matching `/c/{token}` through the app's routers and solving FastAPI's
dependencies cost more than the page itself: an anonymous GET or HEAD of a code whose status is
fresh is answered here, inside every edge middleware (security headers and nonce, size limits, URL
text rule, trace id), by the route's own function (`gateway.routers.public.answer_fresh`): the same
page, headers, rate limit and scan count. Everything else (a stale or unknown status, an officer, a
refusal) goes on to the route.
"""

from __future__ import annotations

from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.routing import compile_path

from gateway.edge.limits import ASGIApp, Receive, Scope, Send
from gateway.routers.public import CODE_PAGE_PATH, answer_fresh, headless

# Compiled from the route's own path, so the two can never disagree on what a code page is.
CODE_PAGE = compile_path(CODE_PAGE_PATH)[0]


class FreshCodePages:
    """ASGI middleware answering the public's fresh code pages without routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            matched = CODE_PAGE.match(get_route_path(scope))
            if matched is not None:
                head = scope["method"] == "HEAD"
                request = Request(scope, receive)
                answer = answer_fresh(request, matched["token"], record_scan=not head)
                if answer is not None:
                    await (headless(answer) if head else answer)(scope, receive, send)
                    return
        await self.app(scope, receive, send)
