"""Row history, in Baserow's shape: GET .../rows/table/{table_id}/{row_id}/history/?limit=&offset=."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from nocodedb.api.http import MAX_ID, JSONResponse, actor_for, path_int, query_int, transaction
from nocodedb.api.routing import Routes
from nocodedb.services import row_history

routes = Routes()


def _page_url(request: Request, limit: int, offset: int) -> str:
    params = dict(request.query_params.multi_items())
    params.update(limit=str(limit), offset=str(offset))
    return str(request.url.replace(query=urlencode(params)))


@routes.add(
    "/api/database/rows/table/{table_id:int}/{row_id:int}/history/",
    ["GET"],
    "A row's change history, newest first (limit, offset): who changed which field from what to what",
)
async def row_history_list(request: Request) -> Response:
    limit = query_int(request, "limit", 100, maximum=row_history.MAX_LIMIT)
    offset = query_int(request, "offset", 0, minimum=0, maximum=MAX_ID)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        count, results = await row_history.list_history(
            conn, actor, path_int(request, "table_id"), path_int(request, "row_id"), limit, offset
        )
    return JSONResponse(
        {
            "count": count,
            "next": _page_url(request, limit, offset + limit) if offset + limit < count else None,
            "previous": _page_url(request, limit, max(offset - limit, 0)) if offset > 0 else None,
            "results": results,
        }
    )
