"""The "report a problem" form of the public code page: reading and checking what the public sends.

The petition itself belongs to the enforcement service; this only turns a form into its request,
refusing bad input with the field and the reason before anything is sent.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

import grpc
from fastapi import Request

from eco.v1 import common_pb2, enforcement_pb2
from gateway.inputs import is_utf8, text_problem
from shared.errors import InvalidArgument

HOTLINE = "12369"  # the national ecological-environment complaints hotline (12369 环保举报热线)
# The problem-ledger vocabulary of enforcement.proto (Problem.category), with labels for the form.
CATEGORIES = {
    "water": "水污染 water",
    "air": "大气污染 air",
    "noise": "噪声 noise",
    "solid_waste": "固体废物 solid waste",
    "soil": "土壤 soil",
    "radiation": "辐射 radiation",
    "ecology": "生态破坏 ecology",
    "other": "其他 other",
}
TEXT_MIN, TEXT_MAX, CONTACT_MAX = 10, 1000, 100
CONTACT_FORMS = (
    re.compile(r"1[3-9]\d{9}"),  # mainland mobile number
    re.compile(r"0\d{2,3}-?\d{7,8}"),  # landline with area code
    re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+"),  # e-mail
)
INTAKE_DOWN = (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


async def read_form(request: Request) -> dict[str, str]:
    """The submitted fields, from a browser form (urlencoded) or JSON."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise InvalidArgument("body", "is not valid JSON") from None
        if not isinstance(data, dict):
            raise InvalidArgument("body", "must be a JSON object")
        fields = {str(k): "" if v is None else str(v) for k, v in data.items()}
    else:
        fields = dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    # A form is an edge like any other: a NUL in a username must be a 400, never a database error.
    for name, value in fields.items():
        problem = text_problem(name) or text_problem(value)
        if problem:
            raise InvalidArgument(name if is_utf8(name) else "body", problem)
    return fields


def petition_in(data: dict[str, str]) -> enforcement_pb2.SubmitPetitionRequest:
    """A SubmitPetitionRequest (without the enterprise) from the form; InvalidArgument naming the field."""
    category = data.get("category", "").strip()
    if category not in CATEGORIES:
        raise InvalidArgument("category", f"must be one of {', '.join(CATEGORIES)}")
    text = data.get("text", "").strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise InvalidArgument("text", f"must be {TEXT_MIN} to {TEXT_MAX} characters, got {len(text)}")
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise InvalidArgument("text", "must not contain control characters")
    request = enforcement_pb2.SubmitPetitionRequest(source="code_page", category=category, text=text)
    contact = data.get("contact", "").strip()
    if contact:
        if len(contact) > CONTACT_MAX or not any(form.fullmatch(contact) for form in CONTACT_FORMS):
            raise InvalidArgument(
                "contact", "must be a mobile number, a landline with area code, or an e-mail address"
            )
        request.contact = contact
    lat, lon = data.get("lat", "").strip(), data.get("lon", "").strip()
    if lat or lon:
        request.location.CopyFrom(
            common_pb2.GeoPoint(lat=_degrees(lat, "lat", 90), lon=_degrees(lon, "lon", 180))
        )
    return request


def _degrees(raw: str, field: str, limit: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise InvalidArgument(
            field, "must be a number of WGS84 degrees (give both lat and lon, or neither)"
        ) from None
    if not -limit <= value <= limit:  # also refuses nan and infinities
        raise InvalidArgument(field, f"must be between -{limit:g} and {limit:g} degrees")
    return value
