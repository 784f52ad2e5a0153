"""Views: filter groups, group-bys, row edit links. (The search index is built on demand: services/indexes.py.)

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DDL = """
ALTER TABLE views ADD COLUMN filter_groups jsonb NOT NULL DEFAULT '[]';
ALTER TABLE views ADD COLUMN group_bys jsonb NOT NULL DEFAULT '[]';
ALTER TABLE views ADD COLUMN filters_disabled boolean NOT NULL DEFAULT false;
ALTER TABLE views ADD COLUMN created_by bigint;

-- Ids of filters, filter groups, sorts and group-bys, which live as lists in the view's JSONB.
CREATE SEQUENCE view_item_id_seq;
CREATE INDEX views_filters_items ON views USING gin (filters jsonb_path_ops);
CREATE INDEX views_sorts_items ON views USING gin (sorts jsonb_path_ops);
CREATE INDEX views_group_bys_items ON views USING gin (group_bys jsonb_path_ops);
CREATE INDEX views_filter_groups_items ON views USING gin (filter_groups jsonb_path_ops);

CREATE TABLE edit_links (
    id bigserial PRIMARY KEY,
    view_id bigint NOT NULL REFERENCES views(id) ON DELETE CASCADE,
    table_id bigint NOT NULL,
    row_id bigint NOT NULL,
    secret_hash text NOT NULL,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz
);
CREATE UNIQUE INDEX edit_links_secret ON edit_links (secret_hash);
CREATE INDEX edit_links_view ON edit_links (view_id, row_id);

"""


def upgrade() -> None:
    for statement in DDL.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("nocodedb migrations only add; restore a backup to go back")
