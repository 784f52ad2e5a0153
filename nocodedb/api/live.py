"""Live updates over a WebSocket at /ws/: subscribe to tables, get ids of what changed, see who else looks.

Auth: ?jwt=<access token> on the URL, or a first message {"type": "auth", "jwt": ...}; a shared view's
visitor sends {"type": "auth", "public_view": slug, "view_token"?: ...} and is subscribed to that view's
table only, seeing only its visible fields, the rows its filters let through (nocodedb/api/live_public.py)
and its own view's changes, after which its access and visible fields are read again at once.
?client_id= (or X-Client-Id) names the browser tab: the changes it makes itself (sent with the same
X-Client-Id) are not echoed back to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

import jwt
import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from nocodedb import errors
from nocodedb.api.http import JSONResponse, actor_for, ctx_of, path_int, transaction
from nocodedb.api.live_public import visitor_messages
from nocodedb.api.routing import Routes
from nocodedb.context import AppContext
from nocodedb.events.client import clean_client_id
from nocodedb.events.hub import LiveSocket
from nocodedb.services import users
from nocodedb.services.actor import Actor, table_scope
from nocodedb.services.metadata import load_fields
from nocodedb.services.view_public import find_public_view
from nocodedb.services.view_rows import visible_fields

routes = Routes()
AUTH_SECONDS = 10
# How often a socket's access is checked again (membership removed, view no longer shared).
RECHECK_SECONDS = 60.0
MAX_TABLES = 50
CLOSE_UNAUTHORIZED = 4401


@dataclass(frozen=True)
class Identity:
    user_id: int | None
    name: str | None
    public_table: int | None = None
    public_fields: frozenset[int] | None = None
    expires_at: float | None = None  # the access token's exp (epoch seconds)
    credentials: dict[str, Any] | None = None  # a public visitor's auth message, to check again
    public_view: int | None = None  # the shared view a visitor watches


def _expiry(token: str) -> float | None:
    """The exp claim of an access token already verified by users.user_for_access_token."""
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        return None
    return float(exp) if isinstance(exp, int | float) else None


def _events(ws: WebSocket | Request) -> Any:
    ctx: AppContext = ws.app.state.ctx
    return ctx.events


async def _authenticate(ctx: AppContext, message: dict[str, Any]) -> Identity:
    async with ctx.engine.begin() as conn:
        if isinstance(message.get("jwt"), str):
            user = await users.user_for_access_token(conn, ctx, message["jwt"])
            return Identity(user.id, user.name, expires_at=_expiry(message["jwt"]))
        slug = message.get("public_view")
        if isinstance(slug, str):
            token = message.get("view_token")
            header = f"JWT {token}" if isinstance(token, str) else None
            view = await find_public_view(conn, slug, ctx.secret, header)
            shown = visible_fields(view, await load_fields(conn, view.table_id))
            visible = frozenset(f.id for f in shown)
            return Identity(None, None, view.table_id, visible, credentials=message, public_view=view.id)
    raise errors.NotAuthenticated("Send {'type': 'auth', 'jwt': ...} or {'type': 'auth', 'public_view': slug}.")


async def _receive(ws: WebSocket) -> dict[str, Any]:
    raw = await ws.receive_text()
    try:
        message = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    return message if isinstance(message, dict) else {}


def _error(exc: errors.APIError, **extra: Any) -> dict[str, Any]:
    return {"type": "error", **exc.body(), **extra}


async def _subscribe(ctx: AppContext, identity: Identity, socket: LiveSocket, table_id: Any) -> dict[str, Any] | None:
    if isinstance(table_id, bool) or not isinstance(table_id, int):
        return _error(errors.RequestBodyInvalid("table_id must be a table id."))
    if identity.user_id is None:
        if table_id != identity.public_table:
            return _error(errors.TableNotFound(), table_id=table_id)
        visible = identity.public_fields
    else:
        if len(socket.tables) >= MAX_TABLES and table_id not in socket.tables:
            return _error(errors.APIError(f"At most {MAX_TABLES} tables per connection."), table_id=table_id)
        try:
            async with ctx.engine.begin() as conn:
                await table_scope(conn, Actor(user_id=identity.user_id), table_id, minimum="viewer")
        except errors.APIError as exc:
            return _error(exc, table_id=table_id)
        visible = None
    socket.push({"type": "subscribed", "table_id": table_id})  # before the presence the hub sends
    ctx.events.hub.subscribe(socket, table_id, visible)
    return None


async def live_socket(ws: WebSocket) -> None:
    ctx: AppContext = ws.app.state.ctx
    await ws.accept()
    client_id = clean_client_id(ws.query_params.get("client_id") or ws.headers.get("x-client-id"))
    try:
        first = {"jwt": ws.query_params["jwt"]} if "jwt" in ws.query_params else None
        if first is None:
            first = await asyncio.wait_for(_receive(ws), AUTH_SECONDS)
        identity = await _authenticate(ctx, first)
    except (TimeoutError, WebSocketDisconnect):
        with contextlib.suppress(Exception):
            await ws.close(CLOSE_UNAUTHORIZED)
        return
    except errors.APIError as exc:
        await ws.send_text(orjson.dumps(_error(exc)).decode())
        await ws.close(CLOSE_UNAUTHORIZED)
        return

    async def send(message: dict[str, Any]) -> None:
        nonlocal identity
        if identity.public_view is None:
            await ws.send_text(orjson.dumps(message).decode())
            return
        if str(message.get("type")).startswith("view."):
            # The visitor's own view changed: it may be unshared, locked, or show other fields now.
            try:
                identity = await _refresh_visitor(ctx, identity, socket)
            except errors.APIError as exc:
                await ws.send_text(orjson.dumps(_error(exc)).decode())
                with contextlib.suppress(Exception):
                    await ws.close(CLOSE_UNAUTHORIZED)
                return
        for shown in await visitor_messages(ctx, identity.public_view, message):
            await ws.send_text(orjson.dumps(shown).decode())

    socket = LiveSocket(
        send=send, user_id=identity.user_id, user_name=identity.name, client_id=client_id, view_id=identity.public_view
    )
    hub = ctx.events.hub
    hub.add(socket)
    pump = asyncio.create_task(socket.pump(), name=f"ncdb-live-socket-{socket.id}")
    try:
        socket.push({"type": "authenticated", "user_id": identity.user_id, "client_id": client_id})
        if identity.public_table is not None:
            await _subscribe(ctx, identity, socket, identity.public_table)
        while True:
            try:
                message = await asyncio.wait_for(_receive(ws), _wait_time(identity))
            except TimeoutError:
                identity = await _recheck(ctx, identity, socket)
                continue
            kind = message.get("type")
            if kind == "auth" and identity.user_id is not None:
                identity = await _reauthenticate(ctx, identity, socket, message)
            elif kind == "subscribe":
                refused = await _subscribe(ctx, identity, socket, message.get("table_id"))
                if refused is not None:
                    socket.push(refused)
            elif kind == "unsubscribe" and message.get("table_id") in socket.tables:
                hub.unsubscribe(socket, message["table_id"])
                socket.push({"type": "unsubscribed", "table_id": message["table_id"]})
            elif kind == "ping":
                socket.push({"type": "pong"})
            else:
                socket.push(_error(errors.RequestBodyInvalid("Unknown message type.")))
    except WebSocketDisconnect:
        pass
    except _Closed:
        pump.cancel()
        with contextlib.suppress(Exception):
            await ws.close(CLOSE_UNAUTHORIZED)
    finally:
        hub.remove(socket)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump


class _Closed(Exception):
    """The server ended the session (token expired, access lost)."""


def _wait_time(identity: Identity) -> float:
    wait = RECHECK_SECONDS
    if identity.expires_at is not None:
        wait = min(wait, identity.expires_at - time.time())
    return max(wait, 0.01)


async def _end(socket: LiveSocket, exc: errors.APIError) -> None:
    """Send the reason and stop: the caller's finally closes the socket."""
    await socket.send(_error(exc))
    raise _Closed()


async def _recheck(ctx: AppContext, identity: Identity, socket: LiveSocket) -> Identity:
    """Periodically: the token still valid, the member still in the workspace, the view still shared."""
    if identity.expires_at is not None and time.time() >= identity.expires_at:
        await _end(socket, errors.InvalidAccessToken("The access token expired: send a new one or reconnect."))
    if identity.user_id is None and identity.credentials is not None:
        try:
            return await _refresh_visitor(ctx, identity, socket)
        except errors.APIError as exc:
            await _end(socket, exc)
    await _check_subscriptions(ctx, identity, socket)
    return identity


async def _refresh_visitor(ctx: AppContext, identity: Identity, socket: LiveSocket) -> Identity:
    """A visitor's view read again: raises when it is no longer shared (or its password changed)."""
    assert identity.credentials is not None
    fresh = await _authenticate(ctx, identity.credentials)
    for table_id in list(socket.tables):
        socket.tables[table_id] = fresh.public_fields  # not hub.subscribe: nothing new to announce
    return fresh


async def _check_subscriptions(ctx: AppContext, identity: Identity, socket: LiveSocket) -> None:
    assert identity.user_id is not None
    actor = Actor(user_id=identity.user_id)
    for table_id in list(socket.tables):
        try:
            async with ctx.engine.begin() as conn:
                await table_scope(conn, actor, table_id, minimum="viewer")
        except errors.APIError as exc:
            ctx.events.hub.unsubscribe(socket, table_id)
            socket.push(_error(exc, table_id=table_id))


async def _reauthenticate(ctx: AppContext, identity: Identity, socket: LiveSocket, message: dict[str, Any]) -> Identity:
    """A fresh access token for the same user extends the session."""
    try:
        fresh = await _authenticate(ctx, {"jwt": message.get("jwt")})
    except errors.APIError as exc:
        socket.push(_error(exc))
        return identity
    if fresh.user_id != identity.user_id:
        socket.push(_error(errors.PermissionDenied("A socket stays with the user who opened it.")))
        return identity
    socket.push({"type": "authenticated", "user_id": fresh.user_id, "client_id": socket.client_id})
    await _check_subscriptions(ctx, fresh, socket)
    return fresh


websocket_routes = [WebSocketRoute("/ws/", live_socket)]


@routes.add(
    "/api/database/live/presence/table/{table_id:int}/", ["GET"], "Who is looking at the table now", auth="user"
)
async def presence(request: Request) -> Response:
    table_id = path_int(request, "table_id")
    async with transaction(request) as conn:
        actor = await actor_for(request, conn)
        await table_scope(conn, actor, table_id, minimum="viewer")
    return JSONResponse({"table_id": table_id, "users": ctx_of(request).events.hub.presence(table_id)})
