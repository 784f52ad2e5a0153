"""The `nocodedb` command: `nocodedb serve` starts the server (on an embedded PostgreSQL by default);
`nocodedb template install|export` installs a template file as a new database, or writes a database as one;
`nocodedb sql-views` makes read-only SQL views of every table for BI tools (docs/bi-tools.md).

Every command opens the database as `serve` does: DATABASE_URL, or the embedded server in --data-dir.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    os.environ["NOCODEDB_DATA_DIR"] = str(args.data_dir)
    if not os.environ.get("DATABASE_URL"):
        from nocodedb.db.embedded import start_embedded

        # Started here, once, so that every worker shares one server; it stops when this process ends.
        os.environ["DATABASE_URL"] = start_embedded(Path(args.data_dir))
        print(f"nocodedb: embedded PostgreSQL, data in {Path(args.data_dir).resolve()}", flush=True)
    if args.demo:
        from nocodedb.demo import describe, ensure_demo, remember_demo_password

        account = _with_engine(args, ensure_demo)
        print(describe(account, f"http://{args.host}:{args.port}"), flush=True)
        remember_demo_password(account, Path(args.data_dir))
    print(f"nocodedb: serving on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(
        "nocodedb.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        proxy_headers=True,
    )
    return 0


def _with_engine(args: argparse.Namespace, work: Callable[[Any], Awaitable[T]]) -> T:
    """Open the database as the server does (migrations included), run work(engine), close it."""
    from dataclasses import replace

    from nocodedb.app import open_database
    from nocodedb.settings import Settings

    async def run() -> T:
        settings = replace(Settings.from_env(), data_dir=Path(args.data_dir))
        engine = await open_database(settings)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


class CommandError(Exception):
    """A refusal to print as one line (no traceback): a missing account, a workspace not found..."""


async def _user_id(conn: Any, email: str | None) -> int:
    from sqlalchemy import func, select

    from nocodedb.db.schema import users

    if email:
        query = select(users.c.id).where(func.lower(users.c.email) == email.strip().lower())
    else:  # the instance's administrator: the first account
        query = select(users.c.id).where(users.c.is_staff.is_(True)).order_by(users.c.id).limit(1)
    found = (await conn.execute(query)).scalar_one_or_none()
    if found is None:
        raise CommandError(f"no account {email}" if email else "no account yet: sign up first, or give --email")
    return int(found)


def _template_install(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from fields import default_field_types
    from nocodedb.db.schema import memberships, workspaces
    from nocodedb.services import workspaces as workspace_service
    from nocodedb.services.actor import Actor
    from nocodedb.templates.install import install_template
    from views.filters import default_filter_types

    raw = json.loads(Path(args.file).read_text(encoding="utf-8"))
    tables = raw.get("tables") if isinstance(raw, dict) else None
    if isinstance(tables, list):
        rows = sum(len(t.get("rows") or []) for t in tables if isinstance(t, dict))
        print(f"nocodedb: installing {raw.get('name')!r}: {len(tables)} tables, {rows} rows", flush=True)

    async def work(engine: Any) -> dict[str, Any]:
        async with engine.begin() as conn:
            actor = Actor(user_id=await _user_id(conn, args.email))
            workspace_id = (
                await conn.execute(
                    select(workspaces.c.id)
                    .join(memberships, memberships.c.workspace_id == workspaces.c.id)
                    .where(memberships.c.user_id == actor.user_id, workspaces.c.name == args.workspace)
                    .order_by(workspaces.c.id)
                    .limit(1)
                )
            ).scalar_one_or_none()
            if workspace_id is None:
                workspace_id = (await workspace_service.create_workspace(conn, actor, args.workspace))["id"]
                print(f"nocodedb: created the workspace {args.workspace!r} ({workspace_id})", flush=True)
            return await install_template(conn, default_field_types(), default_filter_types(), actor, workspace_id, raw)

    result = _with_engine(args, work)
    for name, table_id in result["tables"].items():
        print(f"nocodedb:   table {name!r}: {table_id}", flush=True)
    print(f"nocodedb: installed the database {result['database']['name']!r}", flush=True)
    print(result["database"]["id"], flush=True)
    return 0


def _template_export(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from fields import default_field_types
    from nocodedb.db.schema import databases, memberships
    from nocodedb.services.actor import Actor
    from nocodedb.templates.export import export_database

    async def work(engine: Any) -> dict[str, Any]:
        async with engine.begin() as conn:
            if args.email:
                user_id = await _user_id(conn, args.email)
            else:  # an administrator of the database's workspace
                user_id = (
                    await conn.execute(
                        select(memberships.c.user_id)
                        .join(databases, databases.c.workspace_id == memberships.c.workspace_id)
                        .where(databases.c.id == args.database_id, memberships.c.role == "admin")
                        .order_by(memberships.c.created_at, memberships.c.user_id)
                        .limit(1)
                    )
                ).scalar_one_or_none()
                if user_id is None:
                    raise CommandError(f"no database {args.database_id}")
            return await export_database(
                conn, default_field_types(), Actor(user_id=user_id), args.database_id, args.rows
            )

    template = _with_engine(args, work)
    text = json.dumps(template, ensure_ascii=False, indent=1) + "\n"
    if args.file == "-":
        sys.stdout.write(text)
    else:
        Path(args.file).write_text(text, encoding="utf-8")
        rows = sum(len(t["rows"]) for t in template["tables"])
        print(f"nocodedb: wrote {args.file}: {len(template['tables'])} tables, {rows} rows", flush=True)
    return 0


def _sql_views(args: argparse.Namespace) -> int:
    """Make or refresh the readable SQL views for BI tools (docs/bi-tools.md), or drop them with --drop."""
    from fields import default_field_types
    from nocodedb.services import sql_views

    config = sql_views.SqlViewsConfig.from_env()

    async def work(engine: Any) -> Any:
        async with engine.begin() as conn:
            if args.drop:
                return await sql_views.drop_sql_views(conn, config)
            return await sql_views.refresh_sql_views(conn, default_field_types(), config)

    result = _with_engine(args, work)
    if args.drop:
        print(f"nocodedb: dropped {len(result)} views from the schema {config.schema!r}", flush=True)
        return 0
    for view in result["views"]:
        print(f"nocodedb:   {result['schema']}.{view['name']}: {view['database']} / {view['table']}", flush=True)
    for name in result["dropped"]:
        print(f"nocodedb:   dropped {result['schema']}.{name}", flush=True)
    print(f"nocodedb: {len(result['views'])} views in the schema {result['schema']!r}", flush=True)
    if "password" in result:
        # Printed this once: PostgreSQL keeps only a hash of it.
        print(f"nocodedb: made the read-only role {result['role']!r}, password: {result['password']}", flush=True)
    elif result["role_created"]:
        print(f"nocodedb: made the read-only role {result['role']!r} (password from NOCODEDB_SQL_VIEWS_PASSWORD)")
    else:
        print(f"nocodedb: the read-only role is {result['role']!r}", flush=True)
    return 0


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", default=os.environ.get("NOCODEDB_DATA_DIR", "nocodedb-data"), help="where data lives"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nocodedb", description="An open-source no-code database.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the web server")
    serve.add_argument("--host", default=os.environ.get("NOCODEDB_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("NOCODEDB_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("NOCODEDB_WORKERS", "1")))
    _data_dir(serve)
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument(
        "--demo", action="store_true", help="make a demo account (demo@example.org) with the network tracker"
    )
    serve.set_defaults(run=_serve)

    template = commands.add_parser("template", help="install or export a template (see docs/templates.md)")
    template_commands = template.add_subparsers(dest="template_command", required=True)
    install = template_commands.add_parser("install", help="install a template file as a new database")
    install.add_argument("file", help="the template (JSON)")
    install.add_argument("--workspace", required=True, help="the workspace's name; made when missing")
    install.add_argument("--email", help="the account that installs it (default: the instance's administrator)")
    _data_dir(install)
    install.set_defaults(run=_template_install)
    export = template_commands.add_parser("export", help="write a database as a template file")
    export.add_argument("database_id", type=int)
    export.add_argument("file", help="where to write the JSON ('-': standard output)")
    export.add_argument("--rows", action="store_true", help="include the rows")
    export.add_argument("--email", help="the account that exports it (default: an administrator of its workspace)")
    _data_dir(export)
    export.set_defaults(run=_template_export)

    # readable SQL views for BI tools
    views = commands.add_parser("sql-views", help="make or refresh read-only SQL views for BI tools")
    views.add_argument("--drop", action="store_true", help="drop the views (the schema and the role stay)")
    _data_dir(views)
    views.set_defaults(run=_sql_views)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except CommandError as exc:
        print(f"nocodedb: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        from nocodedb import errors

        if not isinstance(exc, errors.APIError):
            raise
        print(
            f"nocodedb: {exc.body().get('error')}: {json.dumps(exc.body().get('detail'), ensure_ascii=False)}",
            file=sys.stderr,
        )
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
