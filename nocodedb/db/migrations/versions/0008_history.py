"""Row history: who changed which field of a row, from what to what, and when.

Revision ID: 0008
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

DDL = """
-- One entry per row and write that changed at least one non-computed field. before/after hold only the
-- changed fields, in API form at the time of the change (so a later field type change cannot misread them).
CREATE TABLE row_history (
    id bigserial PRIMARY KEY,
    table_id bigint NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
    row_id bigint NOT NULL,
    user_id bigint,
    actor_kind text NOT NULL,
    actor_name text,
    action text NOT NULL,
    before jsonb NOT NULL DEFAULT '{}',
    after jsonb NOT NULL DEFAULT '{}',
    field_ids jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX row_history_row ON row_history (table_id, row_id, id DESC);
-- The retention purge deletes by age; entries arrive in time order, so a BRIN index is enough and costs
-- writes almost nothing.
CREATE INDEX row_history_created_at ON row_history USING brin (created_at);
"""


def upgrade() -> None:
    # One statement at a time: asyncpg prepares each statement and refuses several at once.
    for statement in DDL.split(";\n"):
        body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
        if body:
            op.execute(body)


def downgrade() -> None:
    raise RuntimeError("nocodedb migrations only add; restore a backup to go back")
