"""Signing in and out: the console's form (GET/POST /login, POST /logout, a session cookie) and the
API's (POST/GET/DELETE /api/v1/session, a bearer session).

An officer scanning a code with a phone camera sends no Authorization header; after signing in once
with username and password the browser carries a session cookie (HttpOnly, SameSite=Lax, Secure
over https) that gateway.operators accepts like a bearer value, so the same code page shows them the
full record. Sessions are short-lived and end at sign-out (gateway.sessions).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from gateway import operators, sessions
from gateway.contract import Out
from gateway.errors import API_ERRORS, CODE_OF_HTTP_STATUS, ErrorOut
from gateway.inputs import In
from gateway.public.petitions import HOTLINE, read_form
from gateway.ratelimit import RateLimited, hit_public
from shared.china_time import local_iso
from shared.errors import InvalidArgument, Unauthenticated
from shared.grpc.auth import bearer_token
from shared.tracing import current_trace_id

router = APIRouter(tags=["session"])
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
LANDING = "/docs"
Me = Annotated[operators.Operator, Depends(operators.require())]


def _iso(epoch: float) -> str:
    return local_iso(datetime.fromtimestamp(epoch, UTC))


class SignedIn(Out):
    """The answer to a JSON sign-in on the form (the session is in the cookie)."""

    username: str
    role: str
    expires_at: str = Field(description="when the session ends, local (China) ISO time")


class SignedOut(Out):
    """The answer to a JSON sign-out."""

    signed_out: bool


class SignInIn(In):
    """Username and password of an operator's account."""

    username: str = Field(max_length=100, examples=["zhou.li"])
    password: str = Field(max_length=200, examples=["correct horse battery"])


class SessionOut(Out):
    """A bearer session: send `Authorization: Bearer <token>` until `expires_at`."""

    token: str = Field(description="shown once; the gateway keeps only its hash")
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_at: str = Field(examples=["2026-12-02T10:00:00+08:00"])
    username: str
    role: str


class MeOut(Out):
    """The signed-in operator: role and, for a grid commissioner, their area."""

    username: str = Field(examples=["zhou.li"])
    display_name: str = Field(examples=["周丽"])
    role: str = Field(examples=["dispatcher"])
    town: str = Field(default="", examples=[""])
    grid: str = Field(default="", examples=[""])


FORM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "The form"}
}
HTML: dict[str, Any] = {"text/html": {"schema": {"type": "string"}}}
SIGN_IN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Signed in (with Accept: application/json)", "model": SignedIn},
    303: {"description": "Signed in: the session cookie is set, on to `next`"},
    400: {"description": "The form could not be read", "model": ErrorOut, "content": HTML},
    401: {
        "description": "Unknown username or password, or the account is locked or disabled",
        "model": ErrorOut,
        "content": HTML,
    },
    413: {"description": "The form is too large", "model": ErrorOut},
    429: {"description": "Too many attempts from this client", "model": ErrorOut, "content": HTML},
}
SIGN_OUT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Signed out (with Accept: application/json)", "model": SignedOut},
    303: {"description": "Signed out: the session is ended and its cookie cleared; on to `next`"},
}
SIGN_IN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "username": {"type": "string", "maxLength": 100},
                        "password": {"type": "string", "maxLength": 200},
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
    """The staff sign-in form (username and password); HEAD answers its headers."""
    response = _form(request, safe_next(next), "", 200)
    if request.method == "HEAD":
        headless = Response(status_code=response.status_code)
        headless.raw_headers = list(response.raw_headers)
        return headless
    return response


@router.post("/login", response_class=JSONResponse, responses=SIGN_IN_RESPONSES, openapi_extra=SIGN_IN_BODY)
async def login(request: Request) -> Response:
    """Check username and password; on success set the session cookie and go to `next`."""
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
    try:
        opened = await run_in_threadpool(
            sessions.sign_in,
            request.app.state.engine,
            username=data.get("username", ""),
            password=data.get("password", ""),
            kind=sessions.COOKIE,
            policy=operators.policy(request),
            client=operators.client_address(request),
        )
    except Unauthenticated as refused:
        return _form(request, next_path, refused.message, 401)
    response: Response
    if _wants_json(request):
        response = JSONResponse(
            {"username": opened.username, "role": opened.role, "expires_at": _iso(opened.expires_at)}
        )
    else:
        response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        operators.SESSION_COOKIE,
        opened.value,
        max_age=int(operators.policy(request).cookie_seconds),
        path="/",
        httponly=True,  # page scripts never see it
        samesite="lax",  # not sent on cross-site POSTs
        secure=request.url.scheme == "https",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/logout", response_class=RedirectResponse, status_code=303, responses=SIGN_OUT_RESPONSES)
def logout(request: Request, next: str = "/login") -> Response:
    """End the browser's session: ended on the server (a copied cookie stops working) and cleared."""
    value = request.cookies.get(operators.SESSION_COOKIE)
    if value:
        sessions.sign_out(request.app.state.engine, value, client=operators.client_address(request))
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


API_SIGN_IN_RESPONSES: dict[int | str, dict[str, Any]] = {
    **API_ERRORS,
    429: {"model": ErrorOut, "description": "Too many attempts from this client"},
}


@router.post("/api/v1/session", response_model=SessionOut, responses=API_SIGN_IN_RESPONSES)
def open_session(body: SignInIn, request: Request, response: Response) -> SessionOut:
    """Sign in for the API: a bearer session token, valid until `expires_at` (401 says no more than
    that the username or password was wrong; repeated failures lock the account for a while)."""
    try:
        hit_public(request)
    except RateLimited as limited:
        raise HTTPException(429, str(limited), headers={"Retry-After": str(limited.retry_after)}) from None
    opened = sessions.sign_in(
        request.app.state.engine,
        username=body.username,
        password=body.password,
        kind=sessions.BEARER,
        policy=operators.policy(request),
        client=operators.client_address(request),
    )
    response.headers["Cache-Control"] = "no-store"
    return SessionOut(
        token=opened.value, expires_at=_iso(opened.expires_at), username=opened.username, role=opened.role
    )


@router.get("/api/v1/session", response_model=MeOut, responses=API_ERRORS)
def who_am_i(operator: Me) -> MeOut:
    """The operator the request's credentials name: role and area."""
    return MeOut(**vars(operator))


@router.delete("/api/v1/session", response_model=SignedOut, responses=API_ERRORS)
def close_session(request: Request, _: Me) -> SignedOut:
    """End the session this request carries (a machine token is revoked by an administrator)."""
    header = request.headers.get("authorization", "")
    value = bearer_token(header, "'Authorization: Bearer <session>'") if header else ""
    value = value or request.cookies.get(operators.SESSION_COOKIE, "")
    ended = sessions.sign_out(request.app.state.engine, value, client=operators.client_address(request))
    return SignedOut(signed_out=ended)
