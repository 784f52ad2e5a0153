"""The public side of shared views and forms: found by an unguessable slug, optionally behind a password.

A visitor sees only the view's visible fields: the field list, the rows' keys, what they may filter,
sort and search on, and every export are cut to those. The view's own filters still apply (they are its
definition), whatever fields they name. A password-protected view answers only to a short-lived token
(`Baserow-View-Authorization: JWT <token>`) from POST /api/database/views/{slug}/public/auth/, signed
with a key derived from the instance secret and bound to the current password hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from nocodedb import errors
from nocodedb.auth.passwords import verify_password
from nocodedb.db.schema import views
from nocodedb.services.metadata import field_json, load_fields
from nocodedb.services.view_rows import visible_fields
from nocodedb.services.views import view_types

TOKEN_HOURS = 12
ALGORITHM = "HS256"


def _key(secret: str) -> str:
    return hashlib.sha256(f"{secret}:public-view".encode()).hexdigest()


def _password_mark(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def issue_view_token(secret: str, row: Any) -> str:
    now = dt.datetime.now(dt.UTC)
    payload = {
        "view": row.id,
        "pw": _password_mark(row.password_hash),
        "iat": now,
        "exp": now + dt.timedelta(hours=TOKEN_HOURS),
    }
    return jwt.encode(payload, _key(secret), algorithm=ALGORITHM)


def _token_ok(secret: str, row: Any, header: str | None) -> bool:
    if not header:
        return False
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "jwt" or not token.strip():
        return False
    try:
        claims = jwt.decode(token.strip(), _key(secret), algorithms=[ALGORITHM], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return False
    return claims.get("view") == row.id and claims.get("pw") == _password_mark(row.password_hash)


async def find_public_view(
    conn: AsyncConnection, slug: str, secret: str, auth_header: str | None, *, kinds: set[str] | None = None
) -> Any:
    """The shared view with this slug; ViewNotFound when there is none (or it is not shared)."""
    if len(slug) > 200:
        raise errors.ViewNotFound()
    row = (await conn.execute(select(views).where(views.c.slug == slug))).one_or_none()
    if row is None or not row.public or (kinds is not None and row.type not in kinds):
        raise errors.ViewNotFound()
    if row.password_hash is not None and not _token_ok(secret, row, auth_header):
        raise errors.PublicViewAuthRequired()
    return row


async def authenticate(conn: AsyncConnection, slug: str, secret: str, password: Any) -> dict[str, str]:
    row = (await conn.execute(select(views).where(views.c.slug == slug))).one_or_none()
    if row is None or not row.public:
        raise errors.ViewNotFound()
    if row.password_hash is None:
        raise errors.APIError("This shared view has no password.")
    if not isinstance(password, str) or not verify_password(row.password_hash, password):
        raise errors.InvalidPublicViewPassword()
    return {"access_token": issue_view_token(secret, row)}


async def public_fields(conn: AsyncConnection, row: Any) -> tuple[list[Field], list[Field]]:
    """(every field of the table, the fields the view shows)."""
    table_fields = await load_fields(conn, row.table_id)
    return table_fields, visible_fields(row, table_fields)


def public_info(row: Any, shown: list[Field], field_types: Registry[FieldType]) -> dict[str, Any]:
    view_type = view_types().get(row.type)
    shown_ids = {f.id for f in shown}
    options = view_type.options_model.model_validate(row.options or {}).model_dump(mode="json")
    options = {k: v for k, v in options.items() if not (k.endswith("_field") and v not in shown_ids)}
    all_options = view_type.field_options_for(shown, row.field_options or {})
    return {
        "view": {
            "id": row.slug,
            "slug": row.slug,
            "name": row.name,
            "type": row.type,
            "public": True,
            **options,
            "sortings": [s for s in row.sorts or [] if s.get("field") in shown_ids] if view_type.can_sort else [],
            "group_bys": [g for g in row.group_bys or [] if g.get("field") in shown_ids],
            "field_options": {
                k: {"hidden": False, **{x: y for x, y in v.items() if x in ("width", "order")}}
                for k, v in all_options.items()
            },
        },
        "fields": [public_field_json(f, field_types) for f in shown],
    }


# Field options a visitor may see: formats and choices, never references to other fields or tables
# (a formula's text or a lookup's through field could name hidden fields).
PUBLIC_OPTION_KEYS = {
    "select_options",
    "number_decimal_places",
    "number_negative",
    "number_prefix",
    "number_suffix",
    "date_format",
    "date_include_time",
    "date_time_format",
    "date_force_timezone",
    "date_show_tzinfo",
    "max_value",
    "color",
    "style",
    "duration_format",
    "formula_type",
    "array_formula_type",
}


def public_field_json(f: Field, field_types: Registry[FieldType]) -> dict[str, Any]:
    full = field_json(f, field_types)
    base = {k: full[k] for k in ("id", "name", "order", "type", "primary", "read_only") if k in full}
    return {**base, **{k: v for k, v in full.items() if k in PUBLIC_OPTION_KEYS}}
