"""GET /api/v1/search: one search over enterprises, permits, stations, alarms (and, once their
services publish, problems, hazards and petitions), for operators with any role."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from gateway import operators
from gateway.errors import API_ERRORS
from gateway.search import index, query, unavailable
from gateway.search.recent import RecentAnswers

AnyOperator = Annotated[operators.Operator, Depends(operators.require_on_loop())]
router = APIRouter(tags=["search"], responses=API_ERRORS)


@router.get("/api/v1/search", response_model=None)
async def search(
    request: Request,
    _operator: AnyOperator,
    q: str = Query(
        ..., description="Words or a phrase (Chinese is matched as a phrase), or a USCC / permit number / id"
    ),
    kind: str = Query("", description=f"Only this kind: {', '.join(index.KINDS)}"),
    town: str = Query("", description="Only this town or subdistrict, e.g. 周巷"),
    size: int = Query(20, description=f"Results per page, 1..{query.MAX_SIZE}"),
    start: int = Query(0, alias="from", description="Offset of the first result"),
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
