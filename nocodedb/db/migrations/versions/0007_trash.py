"""The trash: deleted rows, fields, views, tables and databases kept for NOCODEDB_TRASH_DAYS days.

Revision ID: 0007
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATEMENTS = [
    """
    CREATE TABLE trash_entries (
        id bigserial PRIMARY KEY,
        workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        database_id bigint NOT NULL,
        table_id bigint,
        item_type text NOT NULL CHECK (item_type IN ('row', 'field', 'view', 'table', 'database')),
        item_id bigint NOT NULL,
        parent_id bigint,
        name text NOT NULL DEFAULT '',
        names jsonb NOT NULL DEFAULT '[]',
        user_id bigint,
        trashed_at timestamptz NOT NULL DEFAULT now(),
        payload jsonb NOT NULL DEFAULT '{}'
    )
    """,
    "CREATE INDEX trash_entries_workspace ON trash_entries (workspace_id, trashed_at DESC, id DESC)",
    "CREATE INDEX trash_entries_item ON trash_entries (item_type, item_id)",
    "CREATE INDEX trash_entries_age ON trash_entries (trashed_at)",
    """
    CREATE TABLE trashed_rows (
        entry_id bigint NOT NULL REFERENCES trash_entries(id) ON DELETE CASCADE,
        database_id bigint NOT NULL,
        table_id bigint NOT NULL,
        id bigint NOT NULL,
        "order" numeric(40, 20) NOT NULL,
        data jsonb NOT NULL,
        created_at timestamptz,
        updated_at timestamptz,
        created_by bigint,
        updated_by bigint,
        PRIMARY KEY (entry_id, id)
    )
    """,
    # Restoring "a row" finds the batch that holds it.
    "CREATE INDEX trashed_rows_row ON trashed_rows (id)",
    """
    CREATE TABLE trashed_links (
        entry_id bigint NOT NULL REFERENCES trash_entries(id) ON DELETE CASCADE,
        database_id bigint NOT NULL,
        field_id bigint NOT NULL,
        row_id bigint NOT NULL,
        target_row_id bigint NOT NULL,
        position integer NOT NULL
    )
    """,
    "CREATE INDEX trashed_links_entry ON trashed_links (entry_id, field_id)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("nocodedb migrations only add; restore a backup to go back")
