"""GET /api/v1/search: one search over enterprises, permits, stations, alarms (and, once their
services publish, problems, hazards and petitions), for operators with any role."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field

from gateway import operators
from gateway.contract import Out
from gateway.errors import API_ERRORS
from gateway.search import index, query, unavailable
from gateway.search.recent import RecentAnswers

AnyOperator = Annotated[operators.Operator, Depends(operators.require_on_loop())]
router = APIRouter(tags=["search"], responses=API_ERRORS)


class PointOut(Out):
    """A WGS 84 point."""

    lat: float
    lon: float


class SearchResultOut(Out):
    """One hit: what it is, its id, its title and a snippet with the matched words in <em>."""

    kind: str = Field(json_schema_extra={"enum": list(index.KINDS)})
    id: str
    title: str
    snippet: str = Field(description="HTML: stored text escaped, matches in <em>")
    town: str
    location: PointOut | None
    status: str
    score: float | None


class SearchOut(Out):
    """A page of results and the count of matches per kind."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    total: int
    from_: int = Field(alias="from")
    size: int
    results: list[SearchResultOut]
    facets: dict[str, int] = Field(description="Matches per kind, every kind named")


@router.get("/api/v1/search", response_model=SearchOut)
async def search(
    request: Request,
    _operator: AnyOperator,
    # Limits documented here are checked by gateway.search.query, which names the parameter.
    q: str = Query(
        ...,
        description="Words or a phrase (Chinese is matched as a phrase), or a USCC / permit number / id",
        json_schema_extra={"minLength": 1, "maxLength": query.MAX_QUERY_CHARS, "pattern": r"\S"},
    ),
    kind: str = Query("", description="Only this kind", json_schema_extra={"enum": ["", *index.KINDS]}),
    town: str = Query("", description="Only this town or subdistrict, e.g. 周巷"),
    size: int = Query(
        20,
        description=f"Results per page, 1..{query.MAX_SIZE}",
        json_schema_extra={"minimum": 1, "maximum": query.MAX_SIZE},
    ),
    start: int = Query(
        0,
        alias="from",
        description=f"Offset of the first result (from + size at most {query.MAX_WINDOW})",
        json_schema_extra={"minimum": 0, "maximum": query.MAX_WINDOW - 1},
    ),
) -> Response:
    """Search every kind; results with kind, id, title, snippet, town, location, score and facet counts."""
    body = query.search_body(q, kind=kind, town=town, size=size, start=start)
    settings = request.app.state.settings
    es = request.app.state.search_async
    name = index.index_name(settings.search_index_prefix)
    recent: RecentAnswers[bytes] = request.app.state.recent_searches

    async def ask() -> bytes:
        found = await es.search(
            index=name, ignore_unavailable=True, filter_path=query.SEARCH_FILTER_PATH, **body
        )
        # Rendered once per answer: identical searches in the next moment get these very bytes.
        return bytes(JSONResponse(query.search_results(found.body, size=size, start=start)).body)

    # The body holds every parameter the answer depends on (and any filter a caller's scope adds).
    key = f"{name}\n{json.dumps(body, sort_keys=True, ensure_ascii=False)}"
    answer = await unavailable.run_async(lambda: recent.get(key, ask))
    if isinstance(answer, JSONResponse):
        return answer
    return Response(answer, media_type="application/json")
