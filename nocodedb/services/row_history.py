"""Row history: who changed which field of a row, from what to what, and when (Baserow's row history API).

Entries are written by nocodedb/events/emit.py, in the transaction of the write, with one INSERT per batch,
from the before and after records the change events already read. Only fields whose stored value changed
are kept, computed fields never (they change because something else did, which is the entry), and a write
that changes nothing leaves nothing. Values are kept in API form as they were: a later change of the field's
type does not reinterpret them.

Creations are recorded only for public form submissions: rows.created_by and created_at say who made any
other row, but a visitor has no account, so the entry is the only trace of which form made it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, column, delete, exists, func, literal, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fields import Field, FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import row_history, rows, users
from nocodedb.db.types import json_records
from nocodedb.queries.rows import FieldSet
from nocodedb.services.actor import Actor, TableScope, table_scope
from nocodedb.services.metadata import load_fields

UPDATE = "update_rows"
CREATE = "create_rows"
MAX_LIMIT = 200
# Processes check this often; the claim in instance_settings lets one purge run per hour in the instance.
PURGE_CHECK_SECONDS = 600
PURGE_EVERY = dt.timedelta(hours=1)
PURGE_KEY = "row_history_purged_at"


def _author(actor: Actor | None) -> dict[str, Any]:
    if actor is None:
        return {"user_id": None, "actor_kind": "user", "actor_name": None}
    return {"user_id": actor.user_id, "actor_kind": actor.kind, "actor_name": actor.label}


def _api(f: Field, field_type: FieldType, stored: Any) -> Any:
    return field_type.empty_api_value(f) if stored is None else field_type.to_api(f, stored)


def _writable(fieldset: FieldSet, field_types: Registry[FieldType], field_ids: Sequence[int]) -> list[Field]:
    found = (fieldset.by_id.get(i) for i in sorted(field_ids))
    return [f for f in found if f is not None and not field_types.get(f.type).read_only]


def _entry_columns() -> list[Any]:
    return [column("row_id", BigInteger), column("before", JSONB), column("after", JSONB), column("field_ids", JSONB)]


async def _insert(
    conn: AsyncConnection, actor: Actor | None, scope: TableScope, action: str, entries: list[Any]
) -> None:
    if not entries:
        return
    who = _author(actor)
    source = (
        select(*_entry_columns())
        .select_from(json_records("entries", "entries", *_entry_columns(), value=entries))
        .subquery("e")
    )
    await conn.execute(
        row_history.insert().from_select(
            ["table_id", "row_id", "user_id", "actor_kind", "actor_name", "action", "before", "after", "field_ids"],
            select(
                literal(scope.table_id, BigInteger),
                source.c.row_id,
                literal(who["user_id"], BigInteger),
                literal(who["actor_kind"]),
                literal(who["actor_name"]),
                literal(action),
                source.c.before,
                source.c.after,
                source.c.field_ids,
            ),
        )
    )


async def record_updates(
    conn: AsyncConnection,
    actor: Actor | None,
    scope: TableScope,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    before: dict[int, Any],
    after: Sequence[Any],
    changes: dict[int, set[int]],
) -> None:
    """One entry per row whose writable fields changed (changes: row id -> ids of fields that differ)."""
    entries = []
    for record in after:
        old = before.get(record.id)
        changed = _writable(fieldset, field_types, list(changes.get(record.id, ())))
        if old is None or not changed:
            continue
        old_data, new_data = old.data or {}, record.data or {}
        types = [(f, field_types.get(f.type)) for f in changed]
        entries.append(
            {
                "row_id": record.id,
                "before": {f"field_{f.id}": _api(f, t, old_data.get(f.key)) for f, t in types},
                "after": {f"field_{f.id}": _api(f, t, new_data.get(f.key)) for f, t in types},
                "field_ids": [f.id for f in changed],
            }
        )
    await _insert(conn, actor, scope, UPDATE, entries)


async def record_creations(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    records: Sequence[Any],
) -> None:
    """One entry per new row, its written values as `after` (see the module's docstring for when)."""
    entries = []
    for record in records:
        data = record.data or {}
        given = _writable(fieldset, field_types, [f.id for f in fieldset.fields if data.get(f.key) is not None])
        entries.append(
            {
                "row_id": record.id,
                "before": {},
                "after": {f"field_{f.id}": _api(f, field_types.get(f.type), data.get(f.key)) for f in given},
                "field_ids": [f.id for f in given],
            }
        )
    await _insert(conn, actor, scope, CREATE, entries)


# --- reading -----------------------------------------------------------------------------------------


def _display_name(kind: str, label: str | None, user_name: str | None) -> str:
    if kind == "token":
        return f"Database token {label}" if label else "Database token"
    if kind == "form":
        return f"Public form {label}" if label else "Public form"
    if kind == "edit_link":
        return (label or "edit link").capitalize()
    if kind == "import":
        return f"{user_name} (import)" if user_name else "Import"
    return user_name or "Deleted user"


def entry_json(entry: Any, fieldset: FieldSet) -> dict[str, Any]:
    """Baserow's shape, plus `actor` (kind and name): values of fields deleted since are left out."""
    present = [fieldset.by_id[i] for i in entry.field_ids if i in fieldset.by_id]
    keys = [f"field_{f.id}" for f in present]
    return {
        "id": entry.id,
        "action_type": entry.action,
        "user": {"id": entry.user_id, "name": _display_name(entry.actor_kind, entry.actor_name, entry.user_name)},
        "actor": {"kind": entry.actor_kind, "name": entry.actor_name or entry.user_name},
        "timestamp": entry.created_at.isoformat(),
        "before": {k: entry.before[k] for k in keys if k in entry.before},
        "after": {k: entry.after[k] for k in keys if k in entry.after},
        "fields_metadata": {f"field_{f.id}": {"id": f.id, "type": f.type} for f in present},
    }


async def list_history(
    conn: AsyncConnection, actor: Actor, table_id: int, row_id: int, limit: int, offset: int
) -> tuple[int, list[dict[str, Any]]]:
    """(count, entries newest first) for one row; viewers and up may read."""
    scope = await table_scope(conn, actor, table_id, minimum="viewer")
    row_exists = exists().where(rows.c.table_id == scope.table_id, rows.c.id == row_id)
    if not (await conn.execute(select(row_exists))).scalar_one():
        raise errors.RowNotFound()
    where = (row_history.c.table_id == table_id, row_history.c.row_id == row_id)
    count = (await conn.execute(select(func.count()).select_from(row_history).where(*where))).scalar_one()
    found = await conn.execute(
        select(row_history, users.c.name.label("user_name"))
        .outerjoin(users, users.c.id == row_history.c.user_id)
        .where(*where)
        .order_by(row_history.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    fieldset = FieldSet(await load_fields(conn, table_id))
    return int(count), [entry_json(e, fieldset) for e in found]


# --- retention ---------------------------------------------------------------------------------------


async def purge(conn: AsyncConnection, days: int) -> int:
    """Delete the entries older than `days` days; return how many."""
    cutoff = func.now() - func.make_interval(0, 0, 0, days)
    removed = await conn.execute(delete(row_history).where(row_history.c.created_at < cutoff))
    return int(removed.rowcount or 0)


async def claim_purge(conn: AsyncConnection) -> bool:
    """True for the one process whose turn it is: the instance's last purge is older than an hour."""
    claimed = await conn.execute(
        text(
            "INSERT INTO instance_settings (key, value) VALUES (:key, to_jsonb(now()::text))"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            " WHERE (instance_settings.value #>> '{}')::timestamptz < now() - make_interval(secs => :every)"
            " RETURNING key"
        ),
        {"key": PURGE_KEY, "every": PURGE_EVERY.total_seconds()},
    )
    return claimed.first() is not None


async def purge_if_due(engine: AsyncEngine, days: int) -> int | None:
    """Purge if it is this process's turn; the number of entries removed, or None when not its turn."""
    async with engine.begin() as conn:
        if not await claim_purge(conn):
            return None
        return await purge(conn, days)
