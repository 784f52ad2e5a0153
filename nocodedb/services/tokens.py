"""Database tokens: bound to one workspace, rights per operation on all or chosen tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb import errors
from nocodedb.auth.secrets import new_token, token_hash
from nocodedb.db.schema import api_tokens, databases, tables
from nocodedb.services import audit
from nocodedb.services.actor import Actor, TokenScope, valid_id, workspace_role

OPERATIONS = ("create", "read", "update", "delete")


def token_json(row: Any, key: str | None = None) -> dict[str, Any]:
    out = {
        "id": row.id,
        "name": row.name,
        "workspace": row.workspace_id,
        "group": row.workspace_id,
        "permissions": row.permissions,
    }
    if key is not None:
        out["key"] = key
    return out


async def _check_permissions(conn: AsyncConnection, workspace_id: int, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise errors.RequestBodyInvalid({"permissions": [{"error": "Expected an object.", "code": "invalid"}]})
    result: dict[str, Any] = {}
    for operation in OPERATIONS:
        rule = raw.get(operation, False)
        if isinstance(rule, bool):
            result[operation] = rule
            continue
        if not isinstance(rule, list) or len(rule) > 1000:
            raise errors.RequestBodyInvalid(
                {operation: [{"error": "Expected true, false or a list of [type, id].", "code": "invalid"}]}
            )
        checked = []
        for entry in rule:
            if (
                not isinstance(entry, list)
                or len(entry) != 2
                or entry[0] not in ("database", "table")
                or isinstance(entry[1], bool)
                or not isinstance(entry[1], int)
            ):
                raise errors.RequestBodyInvalid(
                    {operation: [{"error": 'Each entry is ["database", id] or ["table", id].', "code": "invalid"}]}
                )
            kind, ident = entry
            if not valid_id(ident):
                raise errors.RequestBodyInvalid(
                    {operation: [{"error": f"The {kind} {ident} is not in this workspace.", "code": "invalid"}]}
                )
            query = (
                select(databases.c.id).where(databases.c.id == ident, databases.c.workspace_id == workspace_id)
                if kind == "database"
                else select(tables.c.id)
                .join(databases, databases.c.id == tables.c.database_id)
                .where(tables.c.id == ident, databases.c.workspace_id == workspace_id)
            )
            if (await conn.execute(query)).scalar_one_or_none() is None:
                raise errors.RequestBodyInvalid(
                    {operation: [{"error": f"The {kind} {ident} is not in this workspace.", "code": "invalid"}]}
                )
            checked.append([kind, ident])
        result[operation] = checked
    return result


async def create_token(conn: AsyncConnection, actor: Actor, workspace_id: int, name: str) -> dict[str, Any]:
    user_id = actor.require_user()
    await workspace_role(conn, actor, workspace_id, "editor")
    key = new_token(24)
    permissions = dict.fromkeys(OPERATIONS, True)
    row = (
        await conn.execute(
            insert(api_tokens)
            .values(
                workspace_id=workspace_id, user_id=user_id, name=name, key_hash=token_hash(key), permissions=permissions
            )
            .returning(api_tokens)
        )
    ).one()
    await audit.record(conn, "token.created", user_id=user_id, workspace_id=workspace_id, token=row.id)
    return token_json(row, key)


async def list_tokens(conn: AsyncConnection, actor: Actor) -> list[dict[str, Any]]:
    user_id = actor.require_user()
    found = await conn.execute(select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id))
    return [token_json(r) for r in found]


async def _own_token(conn: AsyncConnection, actor: Actor, token_id: int) -> Any:
    user_id = actor.require_user()
    row = (
        await conn.execute(select(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.user_id == user_id))
    ).one_or_none()
    if row is None:
        raise errors.TokenNotFound()
    return row


async def get_token(conn: AsyncConnection, actor: Actor, token_id: int) -> dict[str, Any]:
    return token_json(await _own_token(conn, actor, token_id))


async def update_token(conn: AsyncConnection, actor: Actor, token_id: int, body: dict[str, Any]) -> dict[str, Any]:
    row = await _own_token(conn, actor, token_id)
    values: dict[str, Any] = {}
    if "name" in body:
        if not isinstance(body["name"], str) or not body["name"].strip():
            raise errors.RequestBodyInvalid({"name": [{"error": "A token needs a name.", "code": "invalid"}]})
        values["name"] = body["name"].strip()[:100]
    if "permissions" in body:
        values["permissions"] = await _check_permissions(conn, row.workspace_id, body["permissions"])
    if values:
        row = (
            await conn.execute(
                update(api_tokens).where(api_tokens.c.id == token_id).values(**values).returning(api_tokens)
            )
        ).one()
    return token_json(row)


async def delete_token(conn: AsyncConnection, actor: Actor, token_id: int) -> None:
    row = await _own_token(conn, actor, token_id)
    await conn.execute(delete(api_tokens).where(api_tokens.c.id == token_id))
    await audit.record(conn, "token.revoked", user_id=actor.user_id, workspace_id=row.workspace_id, token=token_id)


async def token_actor(conn: AsyncConnection, key: str, ip: str | None) -> Actor:
    row = (await conn.execute(select(api_tokens).where(api_tokens.c.key_hash == token_hash(key)))).one_or_none()
    if row is None:
        raise errors.DatabaseTokenInvalid()
    # The token acts with its creator's membership: a creator removed from the workspace ends it.
    try:
        role = await workspace_role(conn, Actor(user_id=row.user_id), row.workspace_id, "viewer")
    except errors.APIError:
        raise errors.DatabaseTokenInvalid() from None
    scope = TokenScope(row.id, row.workspace_id, row.user_id, dict(row.permissions), role)
    return Actor(user_id=row.user_id, token=scope, ip=ip, kind="token", label=row.name)
