"""The code page's answer to the public, rendered once per known status and reused.

A crowd scanning one sticker gets the same page; rendering the template is most of the cost of
answering, so the HTML and JSON are made once per status (gateway.public.live) and each answer
only puts its own CSP nonce into the HTML (the page's inline style carries it).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from fastapi.templating import Jinja2Templates

from gateway.public.live import Known
from gateway.public.petitions import CATEGORIES, HOTLINE
from shared.china_time import local_iso

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
# Stands where each answer's nonce goes; random per process, so no page text can contain it.
NONCE_SLOT = f"nonce-slot-{secrets.token_hex(16)}"
HTML, JSON = "text/html; charset=utf-8", "application/json"


def body(known: Known, token: str, stale_seconds: float | None = None) -> dict[str, Any]:
    """What the page shows anyone: the public view, the petition form's details, and the age of a
    status shown while the code service does not answer."""
    shown = dict(known.view)
    if stale_seconds is not None:
        shown["stale"] = {
            "as_of": local_iso(known.asked_wall),
            "age_seconds": int(stale_seconds),
            "reason": "the code service does not answer; this is the status last known",
        }
    shown["report_problem"] = {"url": f"/c/{token}/petitions", "categories": CATEGORIES, "hotline": HOTLINE}
    return shown


def context(shown: dict[str, Any], token: str, operator: object | None) -> dict[str, Any]:
    """The template's context for a page body."""
    return {
        "body": shown,
        "token": token,
        "operator": operator,
        "sign_in": f"/login?next={quote(f'/c/{token}', safe='/')}",
        "hotline": HOTLINE,
    }


def public_answer(known: Known, token: str, *, as_json: bool) -> tuple[bytes, str]:
    """The public's page (HTML with NONCE_SLOT for the nonce, or JSON) for a known status, made once."""
    kind = JSON if as_json else HTML
    made = known.rendered.get(kind)
    if made is None:
        shown = body(known, token)
        if as_json:
            made = json.dumps(shown, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
        else:
            page = context(shown, token, None) | {
                "request": SimpleNamespace(state=SimpleNamespace(csp_nonce=NONCE_SLOT))
            }
            made = TEMPLATES.get_template("public/code.html").render(page).encode()
        known.rendered[kind] = made
    return made, kind


def with_nonce(html: bytes, nonce: str) -> bytes:
    """A rendered page with this answer's nonce in its slots."""
    return html.replace(NONCE_SLOT.encode(), nonce.encode())
