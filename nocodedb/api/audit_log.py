"""The audit log: a workspace's for its admins, the whole instance's for its staff. Newest first, paged."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors
from nocodedb.api.http import MAX_ID, JSONResponse, actor_for, path_int, query_int, transaction
from nocodedb.api.routing import Routes
from nocodedb.services import audit

routes = Routes()
MAX_SIZE = 200


def _moment(request: Request, name: str) -> dt.datetime | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        problem = {"error": "An ISO 8601 date or date and time.", "code": "invalid"}
        raise errors.QueryInvalid({name: [problem]}) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _query(request: Request) -> audit.AuditQuery:
    user = request.query_params.get("user_id")
    if user not in (None, "") and not (user.isascii() and user.isdigit() and 0 < int(user) <= MAX_ID):
        raise errors.QueryInvalid({"user_id": [{"error": "A user id.", "code": "invalid"}]})
    return audit.AuditQuery(
        page=query_int(request, "page", 1, maximum=MAX_ID // MAX_SIZE),
        size=query_int(request, "size", 100, maximum=MAX_SIZE),
        action=request.query_params.get("action") or None,
        user_id=int(user) if user else None,
        since=_moment(request, "from"),
        until=_moment(request, "to"),
    )


def _answer(request: Request, query: audit.AuditQuery, count: int, results: list[dict[str, object]]) -> Response:
    def page_url(page: int) -> str:
        params = dict(request.query_params.multi_items())
        params["page"] = str(page)
        return str(request.url.replace(query=urlencode(params)))

    return JSONResponse(
        {
            "count": count,
            "next": page_url(query.page + 1) if query.page * query.size < count else None,
            "previous": page_url(query.page - 1) if query.page > 1 else None,
            "results": results,
        }
    )


@routes.add(
    "/api/workspace/{workspace_id:int}/audit-log/",
    ["GET"],
    "The workspace's audit log for its admins (page, size, action, user_id, from, to), newest first",
)
async def workspace_audit_log(request: Request) -> Response:
    query = _query(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        count, results = await audit.workspace_entries(conn, actor, path_int(request, "workspace_id"), query)
    return _answer(request, query, count, results)


@routes.add(
    "/api/admin/audit-log/",
    ["GET"],
    "The whole instance's audit log for its staff (page, size, action, user_id, from, to), newest first",
)
async def instance_audit_log(request: Request) -> Response:
    query = _query(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        count, results = await audit.instance_entries(conn, actor, query)
    return _answer(request, query, count, results)
