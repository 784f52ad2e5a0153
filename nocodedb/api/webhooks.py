"""Webhooks, in Baserow's shape: per table, builder role; the last calls are part of each answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from nocodedb.api.http import JSONResponse, actor_for, ctx_of, path_int, read_model, transaction
from nocodedb.api.routing import Routes
from nocodedb.events import webhooks as service
from nocodedb.net.addresses import Allowlist

routes = Routes()
BASE = "/api/database/webhooks"


def _allowlist(request: Request) -> Allowlist:
    return Allowlist.parse(ctx_of(request).settings.webhook_allowed_hosts)


@routes.add(BASE + "/table/{table_id:int}/", ["GET"], "List the table's webhooks", auth="user")
async def list_webhooks(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await service.list_webhooks(conn, actor, path_int(request, "table_id")))


@routes.add(BASE + "/table/{table_id:int}/", ["POST"], "Create a webhook", auth="user", body=service.WebhookCreate)
async def create_webhook(request: Request) -> Response:
    body = await read_model(request, service.WebhookCreate)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        answer = await service.create_webhook(conn, actor, path_int(request, "table_id"), body, _allowlist(request))
    return JSONResponse(answer)


@routes.add(BASE + "/{webhook_id:int}/", ["GET"], "One webhook, with its last calls", auth="user")
async def get_webhook(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        return JSONResponse(await service.get_webhook(conn, actor, path_int(request, "webhook_id")))


@routes.add(BASE + "/{webhook_id:int}/", ["PATCH"], "Update a webhook", auth="user", body=service.WebhookPatch)
async def update_webhook(request: Request) -> Response:
    body = await read_model(request, service.WebhookPatch)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        answer = await service.update_webhook(conn, actor, path_int(request, "webhook_id"), body, _allowlist(request))
    return JSONResponse(answer)


@routes.add(BASE + "/{webhook_id:int}/", ["DELETE"], "Delete a webhook", auth="user")
async def delete_webhook(request: Request) -> Response:
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await service.delete_webhook(conn, actor, path_int(request, "webhook_id"))
    return Response(status_code=204)


@routes.add(
    BASE + "/table/{table_id:int}/test-call/",
    ["POST"],
    "Call a URL now with an example event",
    auth="user",
    body=service.TestCall,
)
async def test_call(request: Request) -> Response:
    body = await read_model(request, service.TestCall)
    ctx = ctx_of(request)
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        payload = await service.test_payload(
            conn, actor, path_int(request, "table_id"), body, ctx.field_types, _allowlist(request)
        )
    answer = await service.send_test(body, payload, _allowlist(request), ctx.settings.webhook_timeout_seconds)
    return JSONResponse(answer)
