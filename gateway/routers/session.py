"""Operator sign-in for browsers: GET/POST /login and POST /logout.

An officer scanning a code with a phone camera sends no Authorization header; after signing in once
with username and operator token the browser carries a session cookie (HttpOnly, SameSite=Lax,
Secure over https) that gateway.operators accepts like the token, so the same code page shows them
the full record.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from gateway import operators
from gateway.public.petitions import HOTLINE, read_form
from gateway.ratelimit import RateLimited, hit_public
from shared.china_time import local_iso
from shared.errors import InvalidArgument, Unauthenticated

router = APIRouter(tags=["session"])
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
LANDING = "/docs"


def safe_next(raw: str) -> str:
    """Where to go after signing in: a path on this site only (never another host), else the docs."""
    if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw and raw.isprintable():
        return raw
    return LANDING


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _form(request: Request, next_path: str, message: str, status: int) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": "UNAUTHENTICATED", "message": message}, status_code=status)
    context = {"next": next_path, "message": message, "hotline": HOTLINE}
    return TEMPLATES.TemplateResponse(request, "session/login.html", context, status_code=status)


@router.get("/login", response_model=None)
def login_form(request: Request, next: str = LANDING) -> Response:
    """The staff sign-in form (username and operator token)."""
    return _form(request, safe_next(next), "", 200)


@router.post("/login", response_model=None)
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


@router.post("/logout", response_model=None)
def logout(request: Request, next: str = "/login") -> Response:
    """End the browser's session (the cookie is cleared)."""
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
