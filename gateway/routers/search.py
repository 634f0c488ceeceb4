"""GET /api/v1/search: one search over enterprises, permits, stations, alarms (and, once their
services publish, problems, hazards and petitions), for operators with any role."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from gateway import operators
from gateway.errors import API_ERRORS
from gateway.search import index, query, unavailable

AnyOperator = Annotated[operators.Operator, Depends(operators.require())]
router = APIRouter(tags=["search"], responses=API_ERRORS)


@router.get("/api/v1/search", response_model=None)
def search(
    request: Request,
    _operator: AnyOperator,
    q: str = Query(
        ..., description="Words or a phrase (Chinese is matched as a phrase), or a USCC / permit number / id"
    ),
    kind: str = Query("", description=f"Only this kind: {', '.join(index.KINDS)}"),
    town: str = Query("", description="Only this town or subdistrict, e.g. 周巷"),
    size: int = Query(20, description=f"Results per page, 1..{query.MAX_SIZE}"),
    start: int = Query(0, alias="from", description="Offset of the first result"),
) -> dict[str, Any] | JSONResponse:
    """Search every kind; results with kind, id, title, snippet, town, location, score and facet counts."""
    body = query.search_body(q, kind=kind, town=town, size=size, start=start)
    settings = request.app.state.settings
    es = request.app.state.search
    name = index.index_name(settings.search_index_prefix)
    answer = unavailable.run(lambda: es.search(index=name, ignore_unavailable=True, **body).body)
    if isinstance(answer, JSONResponse):
        return answer
    return query.search_results(answer, size=size, start=start)
