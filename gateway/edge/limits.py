"""Size limits on requests, checked before a route reads anything (issue 10, point 3).

A body is refused with 413 as soon as it is known to be too big: at once when its Content-Length
says so, else as soon as the bytes read pass the limit, so an anonymous 100 MB form is never held
in memory. Public forms (the code page's "report a problem", sign-in) get a small limit, the
operators' API a larger one. Headers over HEADER_LIMIT are refused with 431 (RFC 6585, section 5).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIB = 1024
# The longest petition is 1,000 characters: up to 3 UTF-8 bytes each, percent-encoded to 9 bytes.
PUBLIC_FORM_LIMIT = 16 * KIB
SIGN_IN_LIMIT = 4 * KIB
API_LIMIT = 1024 * KIB
HEADER_LIMIT = 16 * KIB  # all header names and values together
BODY_LIMITS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"/c/[^/]+/petitions/?"), PUBLIC_FORM_LIMIT),
    (re.compile(r"/(login|logout)/?"), SIGN_IN_LIMIT),
)


def body_limit(path: str) -> int:
    """The largest body the route at `path` accepts, in bytes."""
    for pattern, limit in BODY_LIMITS:
        if pattern.fullmatch(path):
            return limit
    return API_LIMIT


def headers_too_large(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a request's header names and values together pass HEADER_LIMIT (answered 431)."""
    return sum(len(name) + len(value) for name, value in headers) > HEADER_LIMIT


class BodyTooLarge(HTTPException):
    """A request body over its route's limit (413, in the platform's error shape)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"body: must be at most {limit} bytes on this route")


class HeadersTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(431, f"headers: must be at most {HEADER_LIMIT} bytes together")


class SizeLimits:
    """ASGI middleware enforcing HEADER_LIMIT and each route's body limit."""

    def __init__(self, app: ASGIApp, refuse: Callable[[HTTPException], Any]) -> None:
        self.app = app
        # Builds the error response (an ASGI app) for a refusal made before any route runs.
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if headers_too_large(headers):
            await self.refuse(HeadersTooLarge())(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = next((value for name, value in headers if name == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self.refuse(BodyTooLarge(limit))(scope, receive, send)
            return
        received = 0
        too_large = False
        started = False

        async def limited_receive() -> Message:
            # Past the limit the route is told the client went away, so it stops reading; whatever
            # it answers then is replaced by the 413 (raising here instead would reach the route
            # wrapped in other errors by the framework's task groups).
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # a chunked body, or one longer than it said
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except ClientDisconnect:
            if not too_large:
                raise
        if too_large and not started:
            await self.refuse(BodyTooLarge(limit))(scope, receive, send)
