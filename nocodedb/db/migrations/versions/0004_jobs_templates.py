"""Jobs: long imports run as jobs whose progress and result can be polled.

Revision ID: 0004
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STATEMENTS = [
    """
    CREATE TABLE jobs (
        id bigserial PRIMARY KEY,
        user_id bigint,
        kind text NOT NULL,
        state text NOT NULL DEFAULT 'pending',
        progress integer NOT NULL DEFAULT 0,
        result jsonb,
        error jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX jobs_user ON jobs (user_id)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("nocodedb migrations only add; restore a backup to go back")
