"""Cursor paging: page tokens are the opaque (base64) key of the last item returned."""

from __future__ import annotations

import base64
import binascii
import unicodedata
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.errors import InvalidArgument

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the token for the next (empty on the last page)."""

    items: list[T]
    next_token: str
    total: int


def page_size(requested: int) -> int:
    """The page size to use: the default for 0, capped at the maximum, negative refused."""
    if requested < 0:
        raise InvalidArgument("page.page_size", f"must not be negative, got {requested}")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode(key: str) -> str:
    """The token that resumes after `key`."""
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode(token: str) -> str | None:
    """The key a token resumes after (None for the first page); a forged token is INVALID_ARGUMENT."""
    if not token:
        return None
    try:
        key = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidArgument("page.page_token", "not a token this service returned") from None
    # No key this service hands out holds a control character; PostgreSQL would refuse a NUL.
    if any(unicodedata.category(ch) == "Cc" for ch in key):
        raise InvalidArgument("page.page_token", "not a token this service returned")
    return key
