"""Undo and redo: the recent actions of each browser tab (client session) of a user.

Revision ID: 0009
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DDL = """
-- One row per recorded action (a service write made by a request that carried a ClientSessionId). params holds
-- what undo and redo need (row ids, before and after values, field or view snapshots). undone_at marks the
-- actions that are undone and may be redone; a new action of the session deletes them.
CREATE TABLE undo_actions (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_session_id text NOT NULL,
    action_group text,
    workspace_id bigint,
    database_id bigint,
    table_id bigint,
    view_id bigint,
    action_type text NOT NULL,
    params jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    undone_at timestamptz,
    error text
);
-- Every undo, redo and record looks up one session's newest actions.
CREATE INDEX undo_actions_session ON undo_actions (user_id, client_session_id, id DESC);
-- The retention purge deletes by age; actions arrive in time order.
CREATE INDEX undo_actions_created_at ON undo_actions USING brin (created_at);
"""


def upgrade() -> None:
    # One statement at a time: asyncpg prepares each statement and refuses several at once.
    for statement in DDL.split(";\n"):
        body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
        if body:
            op.execute(body)


def downgrade() -> None:
    raise RuntimeError("nocodedb migrations only add; restore a backup to go back")
