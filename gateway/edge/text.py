"""The platform's text rule (shared.strings) on the URL: path and query parameters (issue 10, point 8).

A NUL or a bidirectional control in a query parameter or a path segment is refused with 400 naming
the parameter, before any route hands it to a database or a service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from starlette.exceptions import HTTPException

from gateway.edge.limits import ASGIApp, Receive, Scope, Send
from shared.strings import forbidden_character, search_forbidden


def url_problem(path: str, query: str) -> tuple[str, str] | None:
    """(parameter, reason) of the first part of a URL breaking the text rule, or None."""
    reason = forbidden_character(path)
    if reason is not None:
        return "path", reason
    # Nearly every query is clean: one scan of it decoded whole says so (a '&' or '=' cannot end a
    # %-escaped character, so the whole holds exactly the characters of its names and values).
    if search_forbidden(unquote_plus(query)) is None:
        return None
    for name, value in parse_qsl(query, keep_blank_values=True):
        reason = forbidden_character(name) or forbidden_character(value)
        if reason is not None:
            return (name if not forbidden_character(name) else "query"), reason
    return None


def request_url_problem(scope: Scope) -> tuple[str, str] | None:
    """`url_problem` of an HTTP request's path and query string."""
    # Raw bytes as UTF-8 (parse_qsl decodes the %-escapes as UTF-8 too); never latin-1, which would
    # turn the bytes of a Chinese town name into C1 controls.
    return url_problem(scope["path"], scope.get("query_string", b"").decode("utf-8", "replace"))


class UrlText:
    """ASGI middleware refusing URLs that break the text rule."""

    def __init__(self, app: ASGIApp, refuse: Callable[[HTTPException], Any]) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = request_url_problem(scope)
            if problem is not None:
                await self.refuse(HTTPException(400, f"{problem[0]}: {problem[1]}"))(scope, receive, send)
                return
        await self.app(scope, receive, send)
