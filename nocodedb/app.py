"""The ASGI application: routes, error handlers, and the lifespan that opens the database."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from fields import default_field_types
from nocodedb import errors
from nocodedb.api import accounts, rows, tables, tokens, workspaces
from nocodedb.api import admin_sql_views as sql_view_routes  # readable SQL views for BI tools
from nocodedb.api import audit_log as audit_log_routes  # history and audit log
from nocodedb.api import boards as board_routes
from nocodedb.api import exports as export_routes
from nocodedb.api import forms as form_routes
from nocodedb.api import formula as formula_routes  # formula editor and type-change preview
from nocodedb.api import grid as grid_routes
from nocodedb.api import history as history_routes  # history and audit log
from nocodedb.api import imports as import_routes
from nocodedb.api import jobs as job_routes
from nocodedb.api import live as live_routes  # events: live updates
from nocodedb.api import public as public_routes
from nocodedb.api import templates as template_routes
from nocodedb.api import trash as trash_routes  # trash
from nocodedb.api import undo as undo_routes  # undo and redo
from nocodedb.api import views as view_routes
from nocodedb.api import webhooks as webhook_routes  # events: webhooks
from nocodedb.api.http import JSONResponse, RejectNulInURL, RouteDoc, ctx_of
from nocodedb.api.openapi import build_openapi
from nocodedb.api.routing import Routes
from nocodedb.context import AppContext
from nocodedb.db.embedded import start_embedded
from nocodedb.db.engine import make_engine
from nocodedb.db.migrate import migrate
from nocodedb.db.schema import instance_settings
from nocodedb.events.client import ClientIdMiddleware  # events
from nocodedb.events.runtime import EventsRuntime  # events
from nocodedb.periodic import Periodic
from nocodedb.services import row_history, trash_purge, undo
from nocodedb.services.indexes import IndexAdvisor
from nocodedb.settings import Settings
from views.filters import default_filter_types

log = logging.getLogger(__name__)
FRONTEND = Path(__file__).resolve().parent.parent / "frontend"


def api_routes() -> Routes:
    collected = Routes()
    for module in (
        accounts,
        workspaces,
        tables,
        rows,
        tokens,
        view_routes,
        public_routes,
        form_routes,
        grid_routes,
        board_routes,
    ):
        collected.extend(module.routes)
    for module in (export_routes, import_routes, job_routes, template_routes):
        collected.extend(module.routes)
    collected.extend(webhook_routes.routes)  # events: webhooks
    collected.extend(live_routes.routes)  # events: live presence
    collected.extend(trash_routes.routes)  # trash
    collected.extend(history_routes.routes)  # history and audit log
    collected.extend(audit_log_routes.routes)  # history and audit log
    collected.extend(formula_routes.routes)  # formula editor and type-change preview
    collected.extend(sql_view_routes.routes)  # readable SQL views for BI tools
    collected.extend(undo_routes.routes)  # undo and redo
    return collected


async def instance_secret(engine: AsyncEngine) -> str:
    """The JWT signing secret, made once per instance and kept in the database."""
    async with engine.begin() as conn:
        await conn.execute(
            pg_insert(instance_settings)
            .values(key="jwt_secret", value=secrets.token_urlsafe(48))
            .on_conflict_do_nothing()
        )
        value = (
            await conn.execute(select(instance_settings.c.value).where(instance_settings.c.key == "jwt_secret"))
        ).scalar_one()
    return str(value)


def support_sql() -> list[str]:
    """SQL helper functions that field types and formulas compile to (all CREATE OR REPLACE)."""
    statements: list[str] = []
    import fields
    import formula

    statements += getattr(fields, "SUPPORT_SQL", [])
    statements += getattr(formula, "SUPPORT_SQL", [])
    return statements


async def open_database(settings: Settings) -> AsyncEngine:
    url = settings.database_url or start_embedded(settings.data_dir)
    engine = make_engine(url)
    await migrate(engine)
    async with engine.begin() as conn:
        # Serialized with the migrations' lock: CREATE OR REPLACE from two workers at once can clash.
        await conn.execute(text("SELECT pg_advisory_xact_lock(7251903114)"))
        for statement in support_sql():
            # Driver-level: function bodies hold colons that text() would read as parameters.
            await conn.exec_driver_sql(statement)
    return engine


async def on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.APIError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        error: errors.APIError = errors.NotFound(f"No endpoint at {request.url.path}.")
    elif exc.status_code == 405:
        error = errors.MethodNotAllowed(f"{request.method} is not allowed on {request.url.path}.")
    else:
        error = errors.APIError(exc.detail)
        error.status = exc.status_code
    return JSONResponse(error.body(), status_code=error.status)


async def on_unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    body = {"error": "ERROR_SERVER", "detail": "Something went wrong on the server; nothing was changed."}
    return JSONResponse(body, status_code=500)


async def health(request: Request) -> Response:
    async with ctx_of(request).engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})


async def index(request: Request) -> Response:
    return FileResponse(FRONTEND / "index.html")


def create_app(settings: Settings | None = None, *, engine: AsyncEngine | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    collected = api_routes()
    docs: list[RouteDoc] = [*collected.docs, RouteDoc("/api/health", ("GET",), "Is the server up", auth="public")]
    openapi = build_openapi(docs)

    async def schema(request: Request) -> Response:
        return JSONResponse(openapi)

    docs.append(RouteDoc("/api/schema.json", ("GET",), "This OpenAPI document", auth="public"))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own_engine = engine is None
        active = engine or await open_database(settings)
        field_types = default_field_types()
        app.state.ctx = AppContext(
            engine=active,
            settings=settings,
            field_types=field_types,
            filter_types=default_filter_types(),
            secret=await instance_secret(active),
            indexes=IndexAdvisor(active, field_types, settings.large_table_rows),
        )
        app.state.ctx.indexes.repair_invalid()
        # events: the outbox listener, live hub and webhook worker of this process
        app.state.ctx.events = EventsRuntime(active, lambda: app.state.ctx.settings)
        app.state.ctx.events.start()
        # Retention: NOCODEDB_TRASH_DAYS, NOCODEDB_ROW_HISTORY_DAYS (one process per hour), undo after a day.
        housekeeping = Periodic()
        housekeeping.start(
            "trash-purge", trash_purge.PURGE_EVERY_SECONDS, lambda: trash_purge.purge_once(active, field_types)
        )
        housekeeping.start(
            "row-history-purge",
            row_history.PURGE_CHECK_SECONDS,
            lambda: row_history.purge_if_due(active, app.state.ctx.settings.row_history_days),
        )
        housekeeping.start("undo-purge", undo.PURGE_EVERY_SECONDS, lambda: undo.purge_once(active))
        yield
        await housekeeping.stop()
        await app.state.ctx.events.stop()  # events
        await app.state.ctx.indexes.wait()
        if own_engine:
            await active.dispose()

    routes: list[Any] = [
        *collected.routes,
        *live_routes.websocket_routes,  # events: /ws/
        Route("/api/health", health, methods=["GET"]),
        Route("/api/schema.json", schema, methods=["GET"]),
        Route("/", index, methods=["GET"]),
        Mount("/static", StaticFiles(directory=FRONTEND), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(RejectNulInURL), Middleware(ClientIdMiddleware)],  # events: ClientIdMiddleware
        exception_handlers={
            errors.APIError: on_api_error,
            HTTPException: on_http_error,
            Exception: on_unexpected_error,
        },
    )
    app.state.route_docs = docs
    return app
