"""The computed core: the stored dependency graph between fields, and SQL helpers for link cells.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATEMENTS = [
    """
    CREATE TABLE field_dependencies (
        id bigserial PRIMARY KEY,
        database_id bigint NOT NULL,
        dependent_id bigint NOT NULL REFERENCES fields(id) ON DELETE CASCADE,
        source_id bigint,
        source_name text,
        via_field_id bigint
    )
    """,
    "CREATE INDEX field_dependencies_database ON field_dependencies (database_id)",
    "CREATE INDEX field_dependencies_dependent ON field_dependencies (dependent_id)",
    "CREATE INDEX links_row ON links (field_id, row_id, position)",
    # The text of a materialized cell of links or lookups: [{"id", "value", "text"?}] -> "a, b".
    """
    CREATE FUNCTION ncdb_cell_text(cell jsonb) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$
        SELECT string_agg(COALESCE(e->>'text', CASE WHEN jsonb_typeof(e->'value') IN ('object', 'array')
                                                   THEN NULL ELSE e->>'value' END), ', ' ORDER BY n)
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(cell) = 'array' THEN cell ELSE '[]'::jsonb END)
             WITH ORDINALITY AS t(e, n)
        $$
    """,
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("nocodedb migrations only add; restore a backup to go back")
