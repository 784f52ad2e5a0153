"""Who is acting (a user or a database token) and what they may do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from nocodedb import errors
from nocodedb.db.schema import databases, field_dependencies, memberships, tables, webhooks, workspaces

Role = Literal["admin", "builder", "editor", "commenter", "viewer"]
ROLES: tuple[Role, ...] = ("viewer", "commenter", "editor", "builder", "admin")
RowOperation = Literal["create", "read", "update", "delete"]


# The largest id PostgreSQL's bigint holds: a larger one names nothing (and must not reach SQL).
MAX_ID = 2**63 - 1


def valid_id(ident: object) -> bool:
    return isinstance(ident, int) and not isinstance(ident, bool) and 0 < ident <= MAX_ID


def role_at_least(role: str, minimum: Role) -> bool:
    return ROLES.index(role) >= ROLES.index(minimum)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TokenScope:
    token_id: int
    workspace_id: int
    user_id: int
    # Per operation: True (all tables), False, or a list of ["database", id] / ["table", id].
    permissions: dict[str, Any] = field(default_factory=dict)
    # The creator's current role: a token never does more than its creator may.
    creator_role: str = "viewer"

    def allows(self, operation: RowOperation, database_id: int, table_id: int) -> bool:
        if not role_at_least(self.creator_role, minimum_role_for(operation)):
            return False
        rule = self.permissions.get(operation, False)
        if rule is True:
            return True
        if not isinstance(rule, list):
            return False
        return any(
            (kind == "database" and ident == database_id) or (kind == "table" and ident == table_id)
            for kind, ident in rule
        )


# Who history and the audit log name as the author of a write: forms, edit links and imports make writes
# on someone's behalf (or no one's), which the user id and token alone cannot tell apart.
ActorKind = Literal["user", "token", "form", "edit_link", "import"]


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    token: TokenScope | None = None
    ip: str | None = None
    kind: ActorKind = "user"
    label: str | None = None  # the token's name, the form's name, "edit link <id>"...
    # undo: the browser tab (ClientSessionId) and user action (ClientUndoRedoActionGroupId) of the request;
    # writes are recorded for undo only when client_session is set (services/undo.py).
    client_session: str | None = None
    action_group: str | None = None

    @property
    def is_token(self) -> bool:
        return self.token is not None

    def require_user(self) -> int:
        """For everything but rows: database tokens reach rows and the field list only."""
        if self.user_id is None or self.token is not None:
            raise errors.PermissionDenied("Database tokens can only be used for rows and fields.")
        return self.user_id


@dataclass(frozen=True)
class TableScope:
    table_id: int
    database_id: int
    workspace_id: int
    name: str
    role: str | None  # None when acting through a token
    # Read with the scope, so that a write need not ask again (None: not known, ask).
    has_webhooks: bool | None = None
    has_dependencies: bool | None = None
    row_count: int | None = None


async def workspace_role(conn: AsyncConnection, actor: Actor, workspace_id: int, minimum: Role) -> str:
    user_id = actor.require_user()
    if not valid_id(workspace_id):
        raise errors.WorkspaceNotFound()
    found = (await conn.execute(select(workspaces.c.id).where(workspaces.c.id == workspace_id))).scalar_one_or_none()
    if found is None:
        raise errors.WorkspaceNotFound()
    role = (
        await conn.execute(
            select(memberships.c.role).where(
                memberships.c.workspace_id == workspace_id, memberships.c.user_id == user_id
            )
        )
    ).scalar_one_or_none()
    if role is None:
        raise errors.UserNotInWorkspace()
    if not role_at_least(role, minimum):
        raise errors.PermissionDenied()
    return role


async def database_scope(conn: AsyncConnection, actor: Actor, database_id: int, minimum: Role) -> int:
    """Check the actor's role on a database's workspace; return the workspace id."""
    if not valid_id(database_id):
        raise errors.ApplicationNotFound()
    workspace_id = (
        await conn.execute(select(databases.c.workspace_id).where(databases.c.id == database_id))
    ).scalar_one_or_none()
    if workspace_id is None:
        raise errors.ApplicationNotFound()
    await workspace_role(conn, actor, workspace_id, minimum)
    return int(workspace_id)


async def table_scope(
    conn: AsyncConnection,
    actor: Actor,
    table_id: int,
    *,
    minimum: Role = "viewer",
    operation: RowOperation | None = None,
) -> TableScope:
    """Check access to a table. Tokens pass only with `operation` set and granted by the token."""
    if not valid_id(table_id):
        raise errors.TableNotFound()
    # One round trip for the table, its workspace and the user's role there: every row request starts here.
    user_id = actor.user_id if actor.token is None else None
    found = (
        await conn.execute(
            select(
                tables.c.id,
                tables.c.database_id,
                tables.c.name,
                databases.c.workspace_id,
                tables.c.row_count,
                memberships.c.role,
                exists().where(webhooks.c.table_id == tables.c.id, webhooks.c.active.is_(True)).label("hooked"),
                exists().where(field_dependencies.c.database_id == tables.c.database_id).label("dependent"),
            )
            .join(databases, databases.c.id == tables.c.database_id)
            .outerjoin(
                memberships,
                and_(memberships.c.workspace_id == databases.c.workspace_id, memberships.c.user_id == user_id),
            )
            .where(tables.c.id == table_id)
        )
    ).one_or_none()
    if found is None:
        raise errors.TableNotFound()
    if actor.token is not None:
        if (
            operation is None
            or found.workspace_id != actor.token.workspace_id
            or not actor.token.allows(operation, found.database_id, table_id)
        ):
            # The same answer whether the table exists elsewhere or the right is missing: nothing leaks.
            raise errors.NoPermissionToTable()
        return _scope(found, None)
    actor.require_user()
    if found.role is None:
        raise errors.UserNotInWorkspace()
    if not role_at_least(found.role, minimum):
        raise errors.PermissionDenied()
    return _scope(found, found.role)


def _scope(found: Any, role: str | None) -> TableScope:
    return TableScope(
        table_id=found.id,
        database_id=found.database_id,
        workspace_id=found.workspace_id,
        name=found.name,
        role=role,
        has_webhooks=found.hooked,
        has_dependencies=found.dependent,
        row_count=found.row_count,
    )


def minimum_role_for(operation: RowOperation) -> Role:
    return "viewer" if operation == "read" else "editor"
