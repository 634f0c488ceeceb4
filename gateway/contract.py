"""What every JSON route of the gateway declares in the OpenAPI document (CONTRIBUTING, Gateway routes).

`Out` is the base of response models: a field the route answers but the model does not declare fails
the answer (and the contract test), so the document never lags behind. Constraints the services
enforce are documented here once (the USCC's pattern), without the gateway enforcing them a second
time: the owning service refuses bad input with its own message, naming the field and the reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from gateway.errors import API_ERRORS

# GB 32100-2015: 18 characters of 0-9 and A-Z without I, O, S, V, Z; positions 3-8 are the division.
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
USCC_EXAMPLE = "91330100716105852F"
USCC_SCHEMA: dict[str, Any] = {"pattern": USCC_PATTERN, "minLength": 18, "maxLength": 18}
USCC_DESCRIPTION = (
    "Unified social credit code, GB 32100-2015 (the permits service checks its check characters)"
)

Uscc = Annotated[
    str, Path(description=USCC_DESCRIPTION, examples=[USCC_EXAMPLE], json_schema_extra=USCC_SCHEMA)
]
# The paging every list takes and answers (shared.paging: default 50, at most 500).
PageSize = Annotated[int, Query(ge=1, le=500, description="Items per page (1..500)")]
PageToken = Annotated[str, Query(description="`next_page_token` of the previous page; empty for the first")]


def uscc_query(description: str = USCC_DESCRIPTION) -> Any:
    """A query parameter that names an enterprise (documented with the USCC's pattern)."""
    return Query("", description=description, json_schema_extra=USCC_SCHEMA)


class Out(BaseModel):
    """The base of every response model: fields the model does not declare are refused."""

    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """An answer passed through as the service gives it (gateway.proto_json.to_json): the model names
    the fields an operator reads first; the rest come through unchanged."""

    model_config = ConfigDict(extra="allow")


class PageOut(Out):
    """The paging fields of a list's answer."""

    next_page_token: str = Field(description="Pass as `page_token` for the next page; empty on the last")
    total: int = Field(description="How many items match the filters, over every page")


def page_of(page: Any) -> dict[str, Any]:
    """The paging fields of an answer from a reply's `eco.v1.PageInfo`."""
    return {"next_page_token": page.next_page_token, "total": page.total}


__all__ = ["API_ERRORS", "Out", "PageOut", "PageSize", "PageToken", "Uscc", "page_of", "uscc_query"]
