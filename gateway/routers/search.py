"""GET /api/v1/search: one search over enterprises, permits, stations, alarms (and, once their
services publish, problems, hazards and petitions), for operators with any role."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field

from gateway import operators
from gateway.contract import Out
from gateway.errors import API_ERRORS
from gateway.search import index, query, unavailable

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
) -> dict[str, Any] | JSONResponse:
    """Search every kind; results with kind, id, title, snippet, town, location, score and facet counts."""
    body = query.search_body(q, kind=kind, town=town, size=size, start=start)
    settings = request.app.state.settings
    es = request.app.state.search_async
    name = index.index_name(settings.search_index_prefix)
    answer = await unavailable.run_async(
        lambda: es.search(index=name, ignore_unavailable=True, filter_path=query.SEARCH_FILTER_PATH, **body)
    )
    if isinstance(answer, JSONResponse):
        return answer
    answer = answer.body
    return query.search_results(answer, size=size, start=start)
