"""Readable SQL views for BI tools: one read-only view per user table in a schema of its own, and a login role
that may read those views and nothing else. See docs/bi-tools.md.

Refreshing drops every view of the schema and makes them again from the current tables and fields, in the
caller's transaction: a BI tool sees the old set or the new one, never a mix, and renamed or deleted tables
and fields need no bookkeeping. Views are owned by the application's database user (views read `rows` with
their owner's rights), never by the reader role, which only gets USAGE on the schema and SELECT on the views.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry, UnknownType
from nocodedb import errors
from nocodedb.db.schema import databases, rows, tables, users
from nocodedb.db.schema import fields as fields_table
from nocodedb.readable.columns import field_columns
from nocodedb.readable.names import (
    LINK_VALUES_SUFFIX,
    MAX_IDENTIFIER,
    RESERVED_COLUMNS,
    quote_ident,
    quote_literal,
    slugify,
    unique_name,
    view_base_name,
)
from nocodedb.readable.render import inline_sql
from nocodedb.services.actor import Actor
from nocodedb.services.metadata import row_source, to_field

DEFAULT_SCHEMA = "nocodedb_readable"
DEFAULT_ROLE = "nocodedb_reader"
# Names that would put the reader next to data it must not see, or are PostgreSQL's own.
FORBIDDEN_SCHEMAS = {"public", "information_schema"}
FORBIDDEN_ROLES = {"public", "none", "current_user", "current_role", "session_user", "postgres"}


class SqlViewsRefused(errors.APIError):
    status = 400
    code = "ERROR_SQL_VIEWS_REFUSED"
    message = "The readable SQL views cannot be made with these settings."


@dataclass(frozen=True)
class SqlViewsConfig:
    schema: str = DEFAULT_SCHEMA
    role: str = DEFAULT_ROLE
    password: str | None = None  # None: keep the role's password; a new role gets a generated one

    @classmethod
    def from_env(cls) -> SqlViewsConfig:
        return cls(
            schema=os.environ.get("NOCODEDB_SQL_VIEWS_SCHEMA") or DEFAULT_SCHEMA,
            role=os.environ.get("NOCODEDB_SQL_VIEWS_ROLE") or DEFAULT_ROLE,
            password=os.environ.get("NOCODEDB_SQL_VIEWS_PASSWORD") or None,
        )


@dataclass(frozen=True)
class _Column:
    name: str
    comment: str
    field: Field | None = None


@dataclass(frozen=True)
class _ViewPlan:
    name: str
    table_id: int
    table_name: str
    database_id: int
    database_name: str
    sql: str
    columns: list[_Column]


# --- checks --------------------------------------------------------------------------------------------


async def require_instance_owner(conn: AsyncConnection, actor: Actor) -> None:
    """The instance's staff (the first account, and whoever it names) only: the views span every workspace."""
    staff = (await conn.execute(select(users.c.is_staff).where(users.c.id == actor.user_id))).scalar_one_or_none()
    if staff is not True:
        raise errors.PermissionDenied("Only the instance's administrators may manage the readable SQL views.")


def _valid_name(name: str, what: str, forbidden: set[str]) -> None:
    lowered = name.lower()
    if (
        not name
        or "\x00" in name
        or len(name.encode("utf-8")) > MAX_IDENTIFIER
        or lowered.startswith("pg_")
        or lowered in forbidden
    ):
        raise SqlViewsRefused(f"{name[:80]!r} cannot be used as the {what}.")


async def _check(conn: AsyncConnection, config: SqlViewsConfig) -> str:
    """Refuse unsafe settings; return the application's schema."""
    _valid_name(config.schema, "schema of the readable views (NOCODEDB_SQL_VIEWS_SCHEMA)", FORBIDDEN_SCHEMAS)
    _valid_name(config.role, "reader role (NOCODEDB_SQL_VIEWS_ROLE)", FORBIDDEN_ROLES)
    if config.password is not None and "\x00" in config.password:
        raise SqlViewsRefused("The reader's password cannot contain a NUL character.")
    found = (
        await conn.execute(
            text("SELECT current_schema(), current_user, current_setting('standard_conforming_strings')")
        )
    ).one()
    if config.schema == found[0]:
        raise SqlViewsRefused("The readable views need a schema of their own, not the application's.")
    if config.role == found[1]:
        raise SqlViewsRefused("The reader role must not be the application's own database user.")
    if found[2] != "on":  # names.quote_literal relies on it
        raise SqlViewsRefused("standard_conforming_strings must be on.")
    return str(found[0])


# --- the reader role ------------------------------------------------------------------------------------


async def _ensure_role(conn: AsyncConnection, config: SqlViewsConfig, app_schema: str) -> tuple[bool, str | None]:
    """Create the reader role or check and update an existing one: (created, the generated password)."""
    role = quote_ident(config.role)
    existing = (
        await conn.execute(
            text(
                "SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls, "
                "EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid), "
                "EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid) "
                "OR EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspowner = r.oid) "
                "FROM pg_roles r WHERE r.rolname = :name"
            ),
            {"name": config.role},
        )
    ).one_or_none()
    generated: str | None = None
    if existing is None:
        generated = None if config.password else secrets.token_urlsafe(24)
        password = config.password or generated or ""
        await conn.execute(
            text(
                f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION "
                f"NOBYPASSRLS PASSWORD {quote_literal(password)}"
            )
        )
    else:
        powerful, member, owns = existing
        # Reusing a role that can do more than read the views would hand that power to every BI tool.
        if powerful or member or owns:
            raise SqlViewsRefused(
                f"The role {config.role!r} exists and can do more than read (it has privileges, belongs to "
                "another role or owns objects): choose another NOCODEDB_SQL_VIEWS_ROLE."
            )
        if config.password:
            await conn.execute(text(f"ALTER ROLE {role} LOGIN PASSWORD {quote_literal(config.password)}"))
    database, can_connect, can_use = (
        await conn.execute(
            text(
                "SELECT current_database(), has_database_privilege(:r, current_database(), 'CONNECT'), "
                "has_schema_privilege(:r, :s, 'USAGE')"
            ),
            {"r": config.role, "s": app_schema},
        )
    ).one()
    # Granted only when missing (PUBLIC usually has both): granting needs rights the application's user
    # may not have on a database or schema it does not own.
    if not can_connect:
        await conn.execute(text(f"GRANT CONNECT ON DATABASE {quote_ident(database)} TO {role}"))
    # The views call our SQL helper functions, and SQL functions find the helpers they call through the
    # caller's search_path: the application's schema must be on it (USAGE there reads no table). The views'
    # schema comes first, so BI tools list the views without being told the schema.
    if not can_use:
        await conn.execute(text(f"GRANT USAGE ON SCHEMA {quote_ident(app_schema)} TO {role}"))
    path = f"{quote_ident(config.schema)}, {quote_ident(app_schema)}"
    await conn.execute(text(f"ALTER ROLE {role} IN DATABASE {quote_ident(database)} SET search_path = {path}"))
    return existing is None, generated


# --- planning the views -----------------------------------------------------------------------------------


async def _plan_views(conn: AsyncConnection, field_types: Registry[FieldType]) -> list[_ViewPlan]:
    found_tables = (
        await conn.execute(
            select(tables.c.id, tables.c.name, tables.c.database_id, databases.c.name.label("database_name"))
            .join(databases, databases.c.id == tables.c.database_id)
            .order_by(tables.c.id)
        )
    ).all()
    by_table: dict[int, list[Field]] = {}
    for found in await conn.execute(
        select(fields_table).order_by(fields_table.c.table_id, fields_table.c.order, fields_table.c.id)
    ):
        by_table.setdefault(found.table_id, []).append(to_field(found))
    taken: set[str] = set()
    plans = []
    # In id order, so that the older table keeps a contested name when a newer one would take it.
    for t in found_tables:
        name = unique_name(view_base_name(t.database_name, t.name, t.id), taken, t.id)
        taken.add(name)
        plans.append(_plan_view(field_types, name, t, by_table.get(t.id, [])))
    return plans


def _plan_view(field_types: Registry[FieldType], name: str, t: Any, table_fields: list[Field]) -> _ViewPlan:
    source = row_source()
    taken = set(RESERVED_COLUMNS)
    selected: list[Any] = [rows.c.id.label("id")]
    columns = [_Column("id", "The row's id")]
    for f in table_fields:
        try:
            field_type = field_types.get(f.type)
        except UnknownType:
            continue  # a plugin's type that is not installed: the API does not show it either
        made = field_columns(field_type, f, source)
        base = slugify(f.name, f"field_{f.id}", 50)
        reserve = len(LINK_VALUES_SUFFIX) if made.link_values is not None else 0
        column = unique_name(base, taken, f.id, reserve)
        if made.link_values is not None and column + LINK_VALUES_SUFFIX in taken:
            column = unique_name(f"{base}_{f.id}", taken, f.id, reserve)
        taken.add(column)
        selected.append(made.value.label(column))
        if made.link_values is None:
            columns.append(_Column(column, f"{f.name} ({f.type}, field {f.id})", f))
        else:
            columns.append(_Column(column, f"{f.name} (linked row ids, field {f.id})", f))
            values = column + LINK_VALUES_SUFFIX
            taken.add(values)
            selected.append(made.link_values.label(values))
            columns.append(_Column(values, f"{f.name} (primary values of the linked rows, field {f.id})", f))
    selected += [rows.c.created_at.label("created_on"), rows.c.updated_at.label("updated_on")]
    columns += [_Column("created_on", "When the row was created"), _Column("updated_on", "Last change of the row")]
    query = select(*selected).where(rows.c.table_id == int(t.id), rows.c.database_id == int(t.database_id))
    return _ViewPlan(name, int(t.id), t.name, int(t.database_id), t.database_name, inline_sql(query), columns)


# --- the use cases ----------------------------------------------------------------------------------------


async def _existing_views(conn: AsyncConnection, schema: str) -> list[str]:
    found = await conn.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relkind = 'v' ORDER BY c.relname"
        ),
        {"schema": schema},
    )
    return [str(r[0]) for r in found]


async def _drop_views(conn: AsyncConnection, schema: str) -> list[str]:
    existing = await _existing_views(conn, schema)
    for name in existing:
        # No CASCADE: a view someone built on ours stops the refresh with an error instead of vanishing.
        await conn.execute(text(f"DROP VIEW {quote_ident(schema)}.{quote_ident(name)}"))
    return existing


async def _lock(conn: AsyncConnection) -> None:
    await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('nocodedb_sql_views'))"))


async def refresh_sql_views(
    conn: AsyncConnection, field_types: Registry[FieldType], config: SqlViewsConfig, actor: Actor | None = None
) -> dict[str, Any]:
    """Make (again) every readable view and the reader role. actor None: the machine's operator (the CLI)."""
    if actor is not None:
        await require_instance_owner(conn, actor)
    app_schema = await _check(conn, config)
    await _lock(conn)
    created, password = await _ensure_role(conn, config, app_schema)
    schema, role = quote_ident(config.schema), quote_ident(config.role)
    await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    owner = (
        await conn.execute(
            text("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = :s"), {"s": config.schema}
        )
    ).scalar_one()
    if owner == config.role:
        raise SqlViewsRefused(f"The schema {config.schema!r} belongs to the reader role: it must not own anything.")
    before = set(await _drop_views(conn, config.schema))
    plans = await _plan_views(conn, field_types)
    for plan in plans:
        view = f"{schema}.{quote_ident(plan.name)}"
        await conn.execute(text(f"CREATE VIEW {view} AS {plan.sql}"))
        comment = f"{plan.database_name} / {plan.table_name} (nocodedb table {plan.table_id})"
        await conn.execute(text(f"COMMENT ON VIEW {view} IS {quote_literal(comment)}"))
        for column in plan.columns:
            await conn.execute(
                text(f"COMMENT ON COLUMN {view}.{quote_ident(column.name)} IS {quote_literal(column.comment)}")
            )
    await conn.execute(text(f"REVOKE ALL ON SCHEMA {schema} FROM PUBLIC"))
    await conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {role}"))
    if plans:
        await conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"))
    made = {p.name for p in plans}
    result: dict[str, Any] = {
        "schema": config.schema,
        "role": config.role,
        "role_created": created,
        "views": [_plan_json(p) for p in plans],
        "dropped": sorted(before - made),
    }
    if password is not None:
        result["password"] = password  # shown once: only its hash is kept by PostgreSQL
    return result


def _plan_json(plan: _ViewPlan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "table_id": plan.table_id,
        "table": plan.table_name,
        "database_id": plan.database_id,
        "database": plan.database_name,
        "columns": [
            {"name": c.name, "field_id": c.field.id if c.field else None, "field": c.field.name if c.field else None}
            for c in plan.columns
        ],
    }


async def list_sql_views(conn: AsyncConnection, config: SqlViewsConfig, actor: Actor | None = None) -> dict[str, Any]:
    """What exists now in the schema (as PostgreSQL describes it), and the reader role's name."""
    if actor is not None:
        await require_instance_owner(conn, actor)
    found = await conn.execute(
        text(
            "SELECT c.relname, obj_description(c.oid, 'pg_class'), a.attname, format_type(a.atttypid, a.atttypmod), "
            "col_description(c.oid, a.attnum) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE n.nspname = :schema AND c.relkind = 'v' ORDER BY c.relname, a.attnum"
        ),
        {"schema": config.schema},
    )
    views: dict[str, dict[str, Any]] = {}
    for name, description, column, sql_type, column_description in found:
        view = views.setdefault(name, {"name": name, "description": description, "columns": []})
        view["columns"].append({"name": column, "type": sql_type, "description": column_description})
    role_exists = (
        await conn.execute(text("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :r)"), {"r": config.role})
    ).scalar_one()
    return {
        "schema": config.schema,
        "role": config.role,
        "role_exists": bool(role_exists),
        "views": list(views.values()),
    }


async def drop_sql_views(conn: AsyncConnection, config: SqlViewsConfig) -> list[str]:
    """Drop every readable view (the schema and the role stay): before a migration that their SQL would block."""
    _valid_name(config.schema, "schema of the readable views", FORBIDDEN_SCHEMAS)
    await _lock(conn)
    return await _drop_views(conn, config.schema)
