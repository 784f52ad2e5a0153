"""Request and response plumbing shared by every route: JSON, bodies, query parameters, the actor."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

import orjson
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response

from nocodedb import errors
from nocodedb.context import AppContext
from nocodedb.services import tokens, users
from nocodedb.services.actor import Actor
from nocodedb.services.table_rewrite import take_set_aside
from nocodedb.services.undo import valid_client_id  # undo: the ClientSessionId headers

M = TypeVar("M", bound=BaseModel)
TRUE_WORDS = {"y", "yes", "true", "t", "on", "1", ""}


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def ctx_of(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


@asynccontextmanager
async def transaction(request: Request) -> AsyncIterator[AsyncConnection]:
    ctx = ctx_of(request)
    async with ctx.engine.begin() as conn:
        yield conn
        set_aside = take_set_aside(conn)
    if set_aside:
        ctx.indexes.rebuild_search(set_aside)


async def read_json(request: Request) -> Any:
    limit = ctx_of(request).settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and (not (declared.isascii() and declared.isdigit()) or int(declared) > limit):
        raise errors.BodyTooLarge(f"The request body may have at most {limit} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise errors.BodyTooLarge(f"The request body may have at most {limit} bytes.")
    if not body:
        raise errors.RequestBodyInvalid("The request needs a JSON body.")
    try:
        value = orjson.loads(bytes(body))
    except orjson.JSONDecodeError as exc:
        raise errors.RequestBodyInvalid(f"The body is not valid JSON: {exc.msg} at position {exc.pos}.") from None
    if _holds_nul(value):
        raise errors.RequestBodyInvalid("Text may not contain the NUL character (\\u0000).")
    return value


def _holds_nul(value: Any) -> bool:
    """PostgreSQL text and jsonb cannot hold NUL: such input is refused up front, wherever it is."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, dict):
            stack += item.keys()
            stack += item.values()
    return False


class RejectNulInURL:
    """ASGI middleware: a path or query string holding NUL (%00) gets a 400 before any route reads it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (
            b"\x00" in unquote_to_bytes(scope.get("query_string", b"")) or "\x00" in scope.get("path", "")
        ):
            error = errors.QueryInvalid("The address may not contain the NUL character (%00).")
            await JSONResponse(error.body(), status_code=error.status)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def validation_detail(exc: ValidationError) -> dict[str, list[dict[str, str]]]:
    detail: dict[str, list[dict[str, str]]] = {}
    for problem in exc.errors():
        key = ".".join(str(p) for p in problem["loc"]) or "non_field_errors"
        detail.setdefault(key, []).append({"error": problem["msg"], "code": problem["type"]})
    return detail


async def read_model(request: Request, model: type[M]) -> M:
    raw = await read_json(request)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise errors.RequestBodyInvalid(validation_detail(exc)) from None


def query_bool(request: Request, name: str) -> bool:
    value = request.query_params.get(name)
    return value is not None and value.strip().lower() in TRUE_WORDS


def query_int(request: Request, name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise errors.QueryInvalid({name: [{"error": "A whole number is required.", "code": "invalid"}]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise errors.QueryInvalid({name: [{"error": f"Must be {bound}.", "code": "invalid"}]})
    return value


MAX_ID = 2**63 - 1


def path_int(request: Request, name: str) -> int:
    value = int(request.path_params[name])
    if value > MAX_ID:
        # Larger than any id PostgreSQL can hold: nothing can be there.
        raise errors.NotFound(f"No {name.removesuffix('_id')} has the id {value}.")
    return value


def undo_header(request: Request, name: str) -> str | None:
    """An undo header's value, or None when absent or not a short id: a hostile value records nothing."""
    value = request.headers.get(name)
    return value if value is not None and valid_client_id(value) else None


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def actor_for(request: Request, conn: AsyncConnection, *, tokens_allowed: bool = False) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    scheme = scheme.lower()
    credential = credential.strip()
    if not credential:
        raise errors.NotAuthenticated()
    if scheme in ("jwt", "bearer"):
        user = await users.user_for_access_token(conn, ctx_of(request), credential)
        return Actor(
            user_id=user.id,
            ip=client_ip(request),
            client_session=undo_header(request, "clientsessionid"),  # undo: see services/undo.py
            action_group=undo_header(request, "clientundoredoactiongroupid"),
        )
    if scheme == "token":
        if not tokens_allowed:
            raise errors.PermissionDenied("Database tokens can only be used for rows and fields.")
        return await tokens.token_actor(conn, credential, client_ip(request))
    raise errors.NotAuthenticated("Use 'Authorization: JWT <access token>' or 'Authorization: Token <key>'.")


Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class RouteDoc:
    """What the OpenAPI document and the route-coverage test know about a route."""

    path: str
    methods: tuple[str, ...]
    summary: str
    body: type[BaseModel] | None = None
    # "public": no account; "user": JWT only; "token": JWT or database token.
    auth: str = "user"
