"""Operator sign-in for browsers: GET/POST /login and POST /logout.

An officer scanning a code with a phone camera sends no Authorization header; after signing in once
with username and operator token the browser carries a session cookie (HttpOnly, SameSite=Lax,
Secure over https) that gateway.operators accepts like the token, so the same code page shows them
the full record.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from gateway import operators
from gateway.contract import Out
from gateway.errors import CODE_OF_HTTP_STATUS, ErrorOut
from gateway.public.petitions import HOTLINE, read_form
from gateway.ratelimit import RateLimited, hit_public
from shared.china_time import local_iso
from shared.errors import InvalidArgument, Unauthenticated
from shared.tracing import current_trace_id

router = APIRouter(tags=["session"])
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
LANDING = "/docs"


class SignedIn(Out):
    """The answer to a JSON sign-in."""

    username: str
    role: str
    expires_at: str = Field(description="when the session ends, local (China) ISO time")


class SignedOut(Out):
    """The answer to a JSON sign-out."""

    signed_out: bool


FORM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "The form"}
}
HTML: dict[str, Any] = {"text/html": {"schema": {"type": "string"}}}
SIGN_IN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Signed in (with Accept: application/json)", "model": SignedIn},
    303: {"description": "Signed in: the session cookie is set, on to `next`"},
    400: {"description": "The form could not be read", "model": ErrorOut, "content": HTML},
    401: {"description": "Unknown username or token", "model": ErrorOut, "content": HTML},
    413: {"description": "The form is too large", "model": ErrorOut},
    429: {"description": "Too many attempts from this client", "model": ErrorOut, "content": HTML},
}
SIGN_OUT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Signed out (with Accept: application/json)", "model": SignedOut},
    303: {"description": "Signed out: the session is revoked and its cookie cleared; on to `next`"},
}
SIGN_IN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "token"],
                    "properties": {
                        "username": {"type": "string", "maxLength": 100},
                        "token": {"type": "string", "maxLength": 200},
                        "next": {"type": "string", "description": "a path on this site"},
                    },
                }
            }
        },
    }
}


def safe_next(raw: str) -> str:
    """Where to go after signing in: a path on this site only (never another host), else the docs."""
    if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw and raw.isprintable():
        return raw
    return LANDING


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _form(request: Request, next_path: str, message: str, status: int) -> Response:
    if status >= 400 and _wants_json(request):
        # A refusal in the platform's error shape (gateway.errors), its code named after the status.
        body = {"error": CODE_OF_HTTP_STATUS[status], "message": message, "trace_id": current_trace_id()}
        return JSONResponse(body, status_code=status)
    context = {"next": next_path, "message": message, "hotline": HOTLINE}
    return TEMPLATES.TemplateResponse(request, "session/login.html", context, status_code=status)


@router.head("/login", include_in_schema=False)
@router.get("/login", response_class=HTMLResponse, responses=FORM_RESPONSES)
def login_form(request: Request, next: str = LANDING) -> Response:
    """The staff sign-in form (username and operator token); HEAD answers its headers."""
    response = _form(request, safe_next(next), "", 200)
    if request.method == "HEAD":
        headless = Response(status_code=response.status_code)
        headless.raw_headers = list(response.raw_headers)
        return headless
    return response


@router.post("/login", response_class=JSONResponse, responses=SIGN_IN_RESPONSES, openapi_extra=SIGN_IN_BODY)
async def login(request: Request) -> Response:
    """Check username and operator token; on success set the session cookie and go to `next`."""
    try:
        hit_public(request)  # the same per-client limit as the public pages: no guessing at speed
        data = await read_form(request)
    except RateLimited as limited:
        too_many = _form(request, LANDING, str(limited), 429)
        too_many.headers["Retry-After"] = str(limited.retry_after)
        return too_many
    except InvalidArgument as bad:
        return _form(request, LANDING, bad.message, 400)
    next_path = safe_next(data.get("next", LANDING))
    engine = request.app.state.engine
    try:
        operator = await run_in_threadpool(
            operators.sign_in, engine, username=data.get("username", ""), token=data.get("token", "")
        )
    except Unauthenticated as refused:
        return _form(request, next_path, refused.message, 401)
    value = await run_in_threadpool(operators.session_value, operators.session_key(request), engine, operator)
    expires_at = datetime.fromtimestamp(int(value.split(".")[1]), UTC)
    response: Response
    if _wants_json(request):
        body = {"username": operator.username, "role": operator.role, "expires_at": local_iso(expires_at)}
        response = JSONResponse(body)
    else:
        response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        operators.SESSION_COOKIE,
        value,
        max_age=operators.SESSION_SECONDS,
        path="/",
        httponly=True,  # page scripts never see it
        samesite="lax",  # not sent on cross-site POSTs
        secure=request.url.scheme == "https",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/logout", response_class=RedirectResponse, status_code=303, responses=SIGN_OUT_RESPONSES)
def logout(request: Request, next: str = "/login") -> Response:
    """End the browser's session: revoked on the server (a copied cookie stops working) and cleared."""
    value = request.cookies.get(operators.SESSION_COOKIE)
    if value:
        operators.revoke_session(operators.session_key(request), request.app.state.engine, value)
    response: Response = RedirectResponse(safe_next(next), status_code=303)
    if _wants_json(request):
        response = JSONResponse({"signed_out": True})
    response.delete_cookie(
        operators.SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response
