"""Each table keeps its row count, so an unfiltered list does not count 100,000 rows on every page.

Revision ID: 0006
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE tables ADD COLUMN row_count bigint NOT NULL DEFAULT 0")
    op.execute("UPDATE tables t SET row_count = (SELECT count(*) FROM rows r WHERE r.table_id = t.id)")


def downgrade() -> None:
    raise RuntimeError("nocodedb migrations only add; restore a backup to go back")
