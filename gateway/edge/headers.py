"""Security headers on every answer of the gateway (issue 10, point 6).

Every response says: do not sniff content types, never be framed (clickjacking of the code page and
the sign-in form), send no referrer (a code page's URL holds its token), and a Content-Security-Policy
allowing only this site's own resources. HTML pages carry their inline <style> and <script> with a
per-response nonce (`request.state.csp_nonce`), so no other inline code can run. The API's
interactive docs (/docs, /redoc) load Swagger UI and ReDoc from their CDN with an inline bootstrap
script; their policy allows exactly that, and only on those two pages.
"""

from __future__ import annotations

import secrets

from gateway.edge.limits import ASGIApp, Message, Receive, Scope, Send

DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
CDN = "https://cdn.jsdelivr.net"


def content_security_policy(path: str, nonce: str, *, image_origins: str = "") -> str:
    """The policy of one response (CSP Level 3 directives); `image_origins` adds image sources (the
    console map's configured tile server, if any)."""
    if path in DOCS_PATHS:
        return (
            f"default-src 'none'; script-src {CDN} 'unsafe-inline'; style-src {CDN} 'unsafe-inline'; "
            "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; worker-src blob:; "
            "font-src https://fonts.gstatic.com; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )
    return (
        f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
        f"img-src 'self' data:{' ' + image_origins if image_origins else ''}; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


def security_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The headers every answer to this HTTP request carries; makes the request's CSP nonce
    (`scope["state"]["csp_nonce"]`, which HTML pages put on their inline code)."""
    nonce = secrets.token_urlsafe(16)
    scope.setdefault("state", {})["csp_nonce"] = nonce
    added = [
        (b"content-security-policy", content_security_policy(scope["path"], nonce).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if scope.get("scheme") == "https":
        added.append((b"strict-transport-security", b"max-age=31536000"))
    return added


def adding(added: list[tuple[bytes, bytes]], send: Send) -> Send:
    """`send` with `added` put on the response's head (a header the answer has already wins)."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            headers += [(name, value) for name, value in added if name not in present]
            message["headers"] = headers
        await send(message)

    return send_with_headers


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response (a route's own value wins)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, adding(security_headers(scope), send))
