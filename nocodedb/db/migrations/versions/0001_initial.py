"""The initial schema: metadata tables, the partitioned rows table and links.

Revision ID: 0001
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

DDL = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TABLE instance_settings (key text PRIMARY KEY, value jsonb NOT NULL);

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    password_hash text NOT NULL,
    is_staff boolean NOT NULL DEFAULT false,
    language text NOT NULL DEFAULT 'fr',
    created_at timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE workspaces (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    "order" integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('admin', 'builder', 'editor', 'commenter', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE databases (
    id bigserial PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name text NOT NULL,
    "order" integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX databases_workspace ON databases (workspace_id);

CREATE TABLE tables (
    id bigserial PRIMARY KEY,
    database_id bigint NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
    name text NOT NULL,
    "order" integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tables_database ON tables (database_id);

CREATE TABLE fields (
    id bigserial PRIMARY KEY,
    table_id bigint NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
    name text NOT NULL,
    type text NOT NULL,
    options jsonb NOT NULL DEFAULT '{}',
    "order" integer NOT NULL DEFAULT 0,
    "primary" boolean NOT NULL DEFAULT false,
    description text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fields_table ON fields (table_id);
CREATE UNIQUE INDEX fields_table_name ON fields (table_id, lower(name));
CREATE UNIQUE INDEX fields_one_primary ON fields (table_id) WHERE "primary";

CREATE TABLE views (
    id bigserial PRIMARY KEY,
    table_id bigint NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
    name text NOT NULL,
    type text NOT NULL,
    "order" integer NOT NULL DEFAULT 0,
    filter_type text NOT NULL DEFAULT 'AND',
    filters jsonb NOT NULL DEFAULT '[]',
    sorts jsonb NOT NULL DEFAULT '[]',
    options jsonb NOT NULL DEFAULT '{}',
    field_options jsonb NOT NULL DEFAULT '{}',
    public boolean NOT NULL DEFAULT false,
    slug text NOT NULL,
    password_hash text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX views_table ON views (table_id);
CREATE UNIQUE INDEX views_slug ON views (slug);

CREATE TABLE api_tokens (
    id bigserial PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name text NOT NULL,
    key_hash text NOT NULL,
    permissions jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX api_tokens_key_hash ON api_tokens (key_hash);

CREATE TABLE refresh_tokens (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE UNIQUE INDEX refresh_tokens_hash ON refresh_tokens (token_hash);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    workspace_id bigint,
    user_id bigint,
    action text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}',
    ip text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_action_time ON audit_log (action, created_at);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, created_at);

CREATE SEQUENCE row_id_seq;

CREATE TABLE rows (
    database_id bigint NOT NULL,
    table_id bigint NOT NULL,
    id bigint NOT NULL DEFAULT nextval('row_id_seq'),
    "order" numeric(40, 20) NOT NULL,
    data jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    updated_by bigint,
    PRIMARY KEY (table_id, id)
) PARTITION BY LIST (table_id);
CREATE INDEX rows_order ON rows (table_id, "order", id);

CREATE TABLE links (
    database_id bigint NOT NULL,
    field_id bigint NOT NULL,
    row_id bigint NOT NULL,
    target_row_id bigint NOT NULL,
    position integer NOT NULL DEFAULT 0,
    PRIMARY KEY (field_id, row_id, target_row_id)
);
CREATE INDEX links_target ON links (field_id, target_row_id);

-- unaccent() is only STABLE; this wrapper pins the dictionary so it can back indexes.
CREATE FUNCTION ncdb_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
"""


def upgrade() -> None:
    # One statement per call: asyncpg prepares each statement, and a prepared statement holds one command.
    for statement in DDL.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("nocodedb migrations only add; restore a backup to go back")
