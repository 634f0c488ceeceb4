"""GET /api/v1/search: one search (一库) over enterprises, permits, outlets, stations, alarms and the
kinds other services publish, for operators with any role."""

from __future__ import annotations

import dataclasses
import functools
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from gateway import operators
from gateway.contract import Out
from gateway.errors import API_ERRORS
from gateway.routers.petitions import READERS as PETITION_READERS
from gateway.search import filters, index, query, unavailable
from gateway.search.recent import RecentAnswers

AnyOperator = Annotated[operators.Operator, Depends(operators.require_on_loop())]
router = APIRouter(tags=["search"], responses=API_ERRORS)
# Kinds only some roles may read: a petition's document is for those who may read petitions.
KIND_READERS = {"petition": PETITION_READERS}


@functools.cache
def _hidden_kinds(role: str) -> tuple[str, ...]:
    """The kinds a role may not see, worked out once per role (search is the busiest route)."""
    return filters.hidden_for(role, KIND_READERS)


class SearchHit(Out):
    """One result: what it is, its natural key, and a snippet (HTML-escaped, <em> marks the words)."""

    kind: str = Field(examples=["enterprise"])
    id: str = Field(examples=["91330282MA2PLAT01X"])
    title: str = Field(examples=["慈溪市宗汉电镀厂"])
    snippet: str = Field(examples=["浙江省慈溪市<em>宗汉</em>"])
    town: str
    location: dict[str, float] | None
    status: str
    score: float | None


class SearchAnswer(Out):
    """A page of results with the facet counts of everything the query and filters match."""

    total: int
    from_: int = Field(alias="from")
    size: int
    results: list[SearchHit]
    facets: dict[str, int] = Field(description="Results per kind (the kind filter does not narrow these)")
    facet_counts: dict[str, dict[str, int]] = Field(description="Results per town, grid and status")
    next_page_token: str = Field(description="Pass as page_token for the next page; empty on the last")


# The answer is rendered once as bytes and shared (gateway.search.recent), never validated per
# request: the model documents it in the OpenAPI document.
@router.get("/api/v1/search", response_model=None, responses={200: {"model": SearchAnswer}})
async def search(
    request: Request,
    _operator: AnyOperator,
    q: str = Query(
        ..., description="Words, any part of a Chinese name, or a USCC / permit number / id or its prefix"
    ),
    kind: str = Query("", description=f"Only this kind: {', '.join(index.KINDS)}"),
    town: str = Query("", description="Only this town or subdistrict, e.g. 周巷"),
    grid: str = Query("", description="Only this grid"),
    status: str = Query("", description="Only this status, e.g. open, issued, alarm"),
    since: str = Query("", description="Only records at or after this time (ISO 8601; no zone: UTC+8)"),
    until: str = Query("", description="Only records before this time (ISO 8601; no zone: UTC+8)"),
    bbox: str = Query("", description="Only records located in min_lon,min_lat,max_lon,max_lat (WGS 84)"),
    size: int = Query(20, description=f"Results per page, 1..{query.MAX_SIZE}"),
    page_size: int | None = Query(None, description="Same as size"),
    start: int = Query(0, alias="from", description="Offset of the first result"),
    page_token: str = Query("", description="next_page_token of the previous page"),
) -> Response:
    """Search every kind; results with kind, id, title, snippet, town, location, score and facet counts."""
    asked = Asked(q, kind, town, grid, status, since, until, bbox, size, page_size, start, page_token)
    return await answer(request.app.state, plan(_operator.role, asked))


@dataclasses.dataclass(frozen=True)
class Asked:
    """The route's query parameters as the caller gave them (checked by `plan`)."""

    q: str
    kind: str = ""
    town: str = ""
    grid: str = ""
    status: str = ""
    since: str = ""
    until: str = ""
    bbox: str = ""
    size: int = 20
    page_size: int | None = None
    start: int = 0
    page_token: str = ""


@dataclasses.dataclass(frozen=True)
class Planned:
    """A checked search: the Elasticsearch body and the page it asks for."""

    body: dict[str, Any]
    size: int
    start: int


def plan(role: str, asked: Asked) -> Planned:
    """Check `asked` and make its Elasticsearch body, leaving out what `role` may not see;
    InvalidArgument names a bad parameter (nothing is sent before this has passed)."""
    size = asked.size if asked.page_size is None else asked.page_size
    start = query.page_start(asked.page_token, asked.start)
    narrowed = filters.parse(
        town=asked.town,
        grid=asked.grid,
        status=asked.status,
        since=asked.since,
        until=asked.until,
        bbox=asked.bbox,
    )
    narrowed = dataclasses.replace(narrowed, hidden_kinds=_hidden_kinds(role))
    body = query.search_body(asked.q, kind=asked.kind, filters=narrowed, size=size, start=start)
    return Planned(body, size, start)


async def answer(state: Any, planned: Planned) -> Response:
    """The answer to a checked search (the app's `state` holds the settings, the Elasticsearch
    client and the recent answers): the route's, and its early answer's (gateway.search.early)."""
    body, size, start = planned.body, planned.size, planned.start
    es = state.search_direct
    name = index.index_name(state.settings.search_index_prefix)
    recent: RecentAnswers[bytes] = state.recent_searches

    async def ask() -> bytes:
        found = await es.search(name, body, filter_path=query.SEARCH_FILTER_PATH)
        # Rendered once per answer: identical searches in the next moment get these very bytes (the
        # compact UTF-8 JSON that JSONResponse wrote, made by orjson at a fraction of the cost).
        return orjson.dumps(query.search_results(found, size=size, start=start))

    # The body holds every parameter the answer depends on (and any filter a caller's scope adds).
    key = (name, orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    found = await unavailable.run_async(lambda: recent.get(key, ask))
    if isinstance(found, JSONResponse):
        return found
    return Response(found, media_type="application/json")
