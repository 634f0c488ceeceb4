"""The one paging helper: opaque page tokens (the base64 key of the last item returned), one default
page size and one maximum for every service."""

from __future__ import annotations

import base64
import binascii
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.errors import InvalidArgument

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
PAGE_SIZE = "page.page_size"
PAGE_TOKEN = "page.page_token"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the token for the next (empty on the last page)."""

    items: list[T]
    next_token: str
    total: int


def page_size(requested: int) -> int:
    """The page size to use: the default for 0, capped at the maximum, negative refused."""
    if requested < 0:
        raise InvalidArgument(PAGE_SIZE, f"must not be negative, got {requested}")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode(key: str) -> str:
    """The token that resumes after `key`."""
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode(token: str) -> str | None:
    """The key a token resumes after (None for the first page); a forged token is INVALID_ARGUMENT."""
    if not token:
        return None
    try:
        key = base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidArgument(PAGE_TOKEN, "not a token this service returned") from None
    # No key a service hands out holds a control character; PostgreSQL would refuse a NUL.
    if any(unicodedata.category(ch) == "Cc" for ch in key):
        raise InvalidArgument(PAGE_TOKEN, "not a token this service returned")
    return key


def slice_page(found: list[T], size: int, key_of: Callable[[T], str], total: int) -> Page[T]:
    """A page from `size + 1` rows read: the first `size`, and a token if there was one more."""
    shown = found[:size]
    token = encode(key_of(shown[-1])) if len(found) > size else ""
    return Page(shown, token, total)
