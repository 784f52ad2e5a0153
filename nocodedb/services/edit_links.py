"""Row edit links: a builder picks a form view; each link lets anyone holding it edit one row through
that form (the form's fields only), until it expires or is revoked.

A link's token is `<random secret>.<signature>`: the signature (HMAC with a key derived from the instance
secret) rejects forged tokens before any lookup; the database keeps only the SHA-256 of the secret.
Every change made through a link is written to the audit log with the link's id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import FieldType, Registry
from nocodedb import errors
from nocodedb.auth.secrets import new_token, token_hash
from nocodedb.db.schema import edit_links, rows, tables, views
from nocodedb.queries.rows import FieldSet, fetch_rows, row_to_api
from nocodedb.services import audit
from nocodedb.services import rows as row_service
from nocodedb.services.actor import Actor
from nocodedb.services.forms import (
    check_submission,
    form_fields,
    form_metadata,
    scoped_actor,
    table_workspace,
)
from nocodedb.services.metadata import load_fields
from nocodedb.services.views import load_view
from views.filters import FilterType

MAX_LINKS_PER_REQUEST = 1000
MAX_DAYS = 3650


def _signature(secret: str, value: str) -> str:
    key = hashlib.sha256(f"{secret}:edit-link".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def make_token(secret: str) -> tuple[str, str]:
    """(token to give out, hash to store)."""
    value = new_token(32)
    return f"{value}.{_signature(secret, value)}", token_hash(value)


def _stored_hash(secret: str, token: str) -> str | None:
    value, _, signature = token.partition(".")
    if not value or len(token) > 200 or not hmac.compare_digest(signature, _signature(secret, value)):
        return None
    return token_hash(value)


def link_json(link: Any) -> dict[str, Any]:
    return {
        "id": link.id,
        "view_id": link.view_id,
        "row_id": link.row_id,
        "created_at": link.created_at.isoformat() if link.created_at else None,
        "expires_at": link.expires_at.isoformat() if link.expires_at else None,
        "revoked": link.revoked_at is not None,
        "last_used_at": link.last_used_at.isoformat() if link.last_used_at else None,
    }


async def _form_view(conn: AsyncConnection, actor: Actor, view_id: int, minimum: str) -> Any:
    row, _ = await load_view(conn, actor, view_id, minimum)  # type: ignore[arg-type]
    if row.type != "form":
        raise errors.ViewFeatureNotSupported("Edit links are made from a form view.")
    return row


def _expiry(body: dict[str, Any]) -> dt.datetime | None:
    days = body.get("expires_in_days")
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise errors.RequestBodyInvalid(
            {"expires_in_days": [{"error": f"A whole number of days, 1 to {MAX_DAYS}.", "code": "invalid"}]}
        )
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


async def _row_ids(
    conn: AsyncConnection, row: Any, body: dict[str, Any], field_types: Any, filter_types: Any
) -> list[int]:
    """The rows named by row_ids, or every row of a view of the same table (filtered as that view is)."""
    if "source_view_id" in body:
        from nocodedb.services.view_rows import view_conditions, view_of_table

        source_id = body["source_view_id"]
        if isinstance(source_id, bool) or not isinstance(source_id, int):
            raise errors.RequestBodyInvalid({"source_view_id": [{"error": "A view id.", "code": "invalid"}]})
        source = await view_of_table(conn, source_id, row.table_id)
        table_fields = await load_fields(conn, row.table_id)
        conditions = view_conditions(source, table_fields, field_types, filter_types)
        found = await conn.execute(
            select(rows.c.id)
            .where(rows.c.table_id == row.table_id, *conditions)
            .order_by(rows.c.order, rows.c.id)
            .limit(MAX_LINKS_PER_REQUEST + 1)
        )
        ids = list(found.scalars())
    else:
        raw = body.get("row_ids")
        if not isinstance(raw, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
            raise errors.RequestBodyInvalid({"row_ids": [{"error": "A list of row ids.", "code": "invalid"}]})
        ids = list(dict.fromkeys(raw))
        existing = set(
            (await conn.execute(select(rows.c.id).where(rows.c.table_id == row.table_id, rows.c.id.in_(ids)))).scalars()
        )
        missing = [i for i in ids if i not in existing]
        if missing:
            raise errors.RowNotFound(f"The rows {missing[:20]} do not exist in this table.")
    if len(ids) > MAX_LINKS_PER_REQUEST:
        raise errors.RequestBodyInvalid(f"At most {MAX_LINKS_PER_REQUEST} links per request.")
    return ids


async def create_links(
    conn: AsyncConnection,
    secret: str,
    field_types: Any,
    filter_types: Any,
    actor: Actor,
    view_id: int,
    body: Any,
) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        raise errors.RequestBodyInvalid("The body must be a JSON object.")
    row = await _form_view(conn, actor, view_id, "builder")
    expires_at = _expiry(body)
    answers = []
    for row_id in await _row_ids(conn, row, body, field_types, filter_types):
        token, stored = make_token(secret)
        link = (
            await conn.execute(
                insert(edit_links)
                .values(
                    view_id=row.id,
                    table_id=row.table_id,
                    row_id=row_id,
                    secret_hash=stored,
                    created_by=actor.user_id,
                    expires_at=expires_at,
                )
                .returning(edit_links)
            )
        ).one()
        answers.append({**link_json(link), "token": token, "url": f"/form/edit/{token}"})
    await audit.record(
        conn,
        "edit_link.create",
        user_id=actor.user_id,
        workspace_id=await table_workspace(conn, row.table_id),
        ip=actor.ip,
        view_id=row.id,
        count=len(answers),
    )
    return answers


async def list_links(conn: AsyncConnection, actor: Actor, view_id: int) -> list[dict[str, Any]]:
    row = await _form_view(conn, actor, view_id, "builder")
    found = await conn.execute(select(edit_links).where(edit_links.c.view_id == row.id).order_by(edit_links.c.id))
    return [link_json(link) for link in found]


async def revoke_link(conn: AsyncConnection, actor: Actor, link_id: int) -> None:
    view_id = (await conn.execute(select(edit_links.c.view_id).where(edit_links.c.id == link_id))).scalar_one_or_none()
    if view_id is None:
        actor.require_user()
        raise errors.EditLinkInvalid()
    row = await _form_view(conn, actor, view_id, "builder")
    await conn.execute(
        update(edit_links)
        .where(edit_links.c.id == link_id, edit_links.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    workspace_id = await table_workspace(conn, row.table_id)
    await audit.record(
        conn, "edit_link.revoke", user_id=actor.user_id, workspace_id=workspace_id, ip=actor.ip, link_id=link_id
    )


async def revoke_all(conn: AsyncConnection, actor: Actor, view_id: int) -> dict[str, int]:
    row = await _form_view(conn, actor, view_id, "builder")
    result = await conn.execute(
        update(edit_links)
        .where(edit_links.c.view_id == row.id, edit_links.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    workspace_id = await table_workspace(conn, row.table_id)
    await audit.record(
        conn, "edit_link.revoke_all", user_id=actor.user_id, workspace_id=workspace_id, ip=actor.ip, view_id=row.id
    )
    return {"revoked": int(result.rowcount or 0)}


async def open_link(conn: AsyncConnection, secret: str, token: str, *, lock: bool = False) -> tuple[Any, Any]:
    """(link, form view) for a valid token; EditLinkInvalid for anything else, whatever the reason."""
    stored = _stored_hash(secret, token)
    if stored is None:
        raise errors.EditLinkInvalid()
    query = select(edit_links).where(edit_links.c.secret_hash == stored)
    link = (await conn.execute(query.with_for_update() if lock else query)).one_or_none()
    now = dt.datetime.now(dt.UTC)
    if link is None or link.revoked_at is not None or (link.expires_at is not None and link.expires_at <= now):
        raise errors.EditLinkInvalid()
    view = (await conn.execute(select(views).where(views.c.id == link.view_id))).one_or_none()
    if view is None or view.type != "form":
        raise errors.EditLinkInvalid()
    return link, view


async def link_form(conn: AsyncConnection, secret: str, field_types: Registry[FieldType], token: str) -> dict[str, Any]:
    """The form, with the row's current values of the form's fields (and nothing else of the row)."""
    link, view = await open_link(conn, secret, token)
    table_fields = await load_fields(conn, view.table_id)
    on_form = FieldSet([f for f, _ in form_fields(view, table_fields)])
    database_id = (await conn.execute(select(tables.c.database_id).where(tables.c.id == view.table_id))).scalar_one()
    records = await fetch_rows(conn, view.table_id, int(database_id), [link.row_id], on_form, field_types)
    if not records:
        raise errors.EditLinkInvalid()
    values = row_to_api(records[0], on_form, field_types, user_field_names=False)
    return {
        **form_metadata(view, table_fields, field_types),
        "mode": "edit",
        "row_id": link.row_id,
        "values": values,
    }


async def submit_link(
    conn: AsyncConnection,
    secret: str,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    token: str,
    body: Any,
    ip: str | None,
) -> dict[str, Any]:
    link, view = await open_link(conn, secret, token, lock=True)
    table_fields = await load_fields(conn, view.table_id)
    accepted = check_submission(view, table_fields, field_types, filter_types, body, require=False)
    workspace_id = await table_workspace(conn, view.table_id)
    actor = scoped_actor(workspace_id, view.table_id, "update", ip, "edit_link", f"edit link {link.id}")
    try:
        await row_service.update_rows(
            conn,
            field_types,
            actor,
            view.table_id,
            [{**accepted, "id": link.row_id}],
            user_field_names=False,
            filter_types=filter_types,
        )
    except errors.RowNotFound:
        raise errors.EditLinkInvalid() from None
    await conn.execute(update(edit_links).where(edit_links.c.id == link.id).values(last_used_at=func.now()))
    await audit.record(
        conn,
        "edit_link.update",
        workspace_id=workspace_id,
        ip=ip,
        link_id=link.id,
        view_id=view.id,
        table_id=view.table_id,
        row_id=link.row_id,
        fields=sorted(accepted),
    )
    return {"row_id": link.row_id, "updated_fields": sorted(accepted)}
