"""SQLAlchemy Core description of every table nocodedb owns.

The DDL itself lives in the Alembic migrations (nocodedb/db/migrations/versions); this module only
describes the tables so that queries can be built. Keep both in step: tests/test_schema.py compares them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

from nocodedb.db.types import FieldDataJSONB

metadata = MetaData()


def _ts(name: str) -> Column:
    return Column(name, DateTime(timezone=True))


instance_settings = Table("instance_settings", metadata, Column("key", Text, primary_key=True), Column("value", JSONB))

users = Table(
    "users",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("is_staff", Boolean, nullable=False),
    Column("language", Text, nullable=False),
    _ts("created_at"),
    _ts("password_changed_at"),
)

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("name", Text, nullable=False),
    Column("order", Integer, nullable=False),
    _ts("created_at"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("workspace_id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, primary_key=True),
    Column("role", Text, nullable=False),
    _ts("created_at"),
)

databases = Table(
    "databases",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("workspace_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("order", Integer, nullable=False),
    _ts("created_at"),
)

tables = Table(
    "tables",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("database_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("order", Integer, nullable=False),
    _ts("created_at"),
    # Kept by the row services in the writing transaction (migration 0006).
    Column("row_count", BigInteger, nullable=False),
)

fields = Table(
    "fields",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("table_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("options", JSONB, nullable=False),
    Column("order", Integer, nullable=False),
    Column("primary", Boolean, nullable=False),
    Column("description", Text),
    _ts("created_at"),
)

views = Table(
    "views",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("table_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("order", Integer, nullable=False),
    Column("filter_type", Text, nullable=False),
    Column("filters", JSONB, nullable=False),
    Column("sorts", JSONB, nullable=False),
    Column("options", JSONB, nullable=False),
    Column("field_options", JSONB, nullable=False),
    Column("public", Boolean, nullable=False),
    Column("slug", Text, nullable=False),
    Column("password_hash", Text),
    _ts("created_at"),
    # 0002_views
    Column("filter_groups", JSONB, nullable=False),
    Column("group_bys", JSONB, nullable=False),
    Column("filters_disabled", Boolean, nullable=False),
    Column("created_by", BigInteger),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("workspace_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("key_hash", Text, nullable=False),
    Column("permissions", JSONB, nullable=False),
    _ts("created_at"),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("token_hash", Text, nullable=False),
    _ts("created_at"),
    _ts("expires_at"),
    _ts("revoked_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("workspace_id", BigInteger),
    Column("user_id", BigInteger),
    Column("action", Text, nullable=False),
    Column("detail", JSONB, nullable=False),
    Column("ip", Text),
    _ts("created_at"),
)

# User rows: one logical table partitioned by LIST (table_id); see docs/architecture.md.
rows = Table(
    "rows",
    metadata,
    Column("database_id", BigInteger, nullable=False),
    Column("table_id", BigInteger, primary_key=True),
    Column("id", BigInteger, primary_key=True),
    Column("order", Numeric(40, 20), nullable=False),
    Column("data", FieldDataJSONB, nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
    Column("created_by", BigInteger),
    Column("updated_by", BigInteger),
)

links = Table(
    "links",
    metadata,
    Column("database_id", BigInteger, nullable=False),
    Column("field_id", BigInteger, primary_key=True),
    Column("row_id", BigInteger, primary_key=True),
    Column("target_row_id", BigInteger, primary_key=True),
    Column("position", Integer, nullable=False),
)

# Row edit links (0002_views): only the hash of each link's secret is stored.
edit_links = Table(
    "edit_links",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("view_id", BigInteger, nullable=False),
    Column("table_id", BigInteger, nullable=False),
    Column("row_id", BigInteger, nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("created_by", BigInteger),
    _ts("created_at"),
    _ts("expires_at"),
    _ts("revoked_at"),
    _ts("last_used_at"),
)

# The stored dependency graph of computed fields: dependent <- source (through a link field `via`).
# source_id is NULL (and source_name kept) when a formula names a field that does not exist (any more).
field_dependencies = Table(
    "field_dependencies",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("database_id", BigInteger, nullable=False),
    Column("dependent_id", BigInteger, nullable=False),
    Column("source_id", BigInteger),
    Column("source_name", Text),
    Column("via_field_id", BigInteger),
)

# Jobs (0004_jobs_templates): long imports; state pending/running/finished/failed, progress 0-100.
jobs = Table(
    "jobs",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("user_id", BigInteger),
    Column("kind", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("progress", Integer, nullable=False),
    Column("result", JSONB),
    Column("error", JSONB),
    _ts("created_at"),
    _ts("updated_at"),
)

# --- Change events and webhooks (0005_events; nocodedb/events/) -------------------------------------
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("txid", BigInteger, nullable=False),
    Column("database_id", BigInteger),
    Column("table_id", BigInteger),
    Column("event_type", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("actor_user_id", BigInteger),
    Column("actor_token_id", BigInteger),
    Column("client_id", Text),
    _ts("created_at"),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("table_id", BigInteger, nullable=False),
    Column("database_id", BigInteger, nullable=False),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("request_method", Text, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("include_all_events", Boolean, nullable=False),
    Column("events", JSONB, nullable=False),
    Column("events_config", JSONB, nullable=False),
    Column("use_user_field_names", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("secret", Text, nullable=False),
    Column("failed_triggers", Integer, nullable=False),
    Column("last_error", Text),
    Column("created_by", BigInteger),
    _ts("created_at"),
    _ts("updated_at"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("webhook_id", BigInteger, nullable=False),
    Column("outbox_id", BigInteger),
    Column("event_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("body", JSONB, nullable=False),
    Column("state", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    _ts("next_attempt_at"),
    _ts("created_at"),
    _ts("finished_at"),
)

webhook_calls = Table(
    "webhook_calls",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("webhook_id", BigInteger, nullable=False),
    Column("delivery_id", BigInteger),
    Column("event_id", Text),
    Column("event_type", Text),
    Column("called_url", Text),
    _ts("called_at"),
    Column("request", Text),
    Column("response", Text),
    Column("response_status", Integer),
    Column("error", Text),
)

# --- Trash (0007_trash; nocodedb/services/trash*.py) -------------------------------------------------
# One entry per deleted thing; rows and links are moved beside it, structure is kept in `payload`.
trash_entries = Table(
    "trash_entries",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("workspace_id", BigInteger, nullable=False),
    Column("database_id", BigInteger, nullable=False),
    Column("table_id", BigInteger),
    Column("item_type", Text, nullable=False),
    Column("item_id", BigInteger, nullable=False),
    Column("parent_id", BigInteger),
    Column("name", Text, nullable=False),
    Column("names", JSONB, nullable=False),
    Column("user_id", BigInteger),
    _ts("trashed_at"),
    Column("payload", JSONB, nullable=False),
)

trashed_rows = Table(
    "trashed_rows",
    metadata,
    Column("entry_id", BigInteger, primary_key=True),
    Column("database_id", BigInteger, nullable=False),
    Column("table_id", BigInteger, nullable=False),
    Column("id", BigInteger, primary_key=True),
    Column("order", Numeric(40, 20), nullable=False),
    Column("data", FieldDataJSONB, nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
    Column("created_by", BigInteger),
    Column("updated_by", BigInteger),
)

trashed_links = Table(
    "trashed_links",
    metadata,
    Column("entry_id", BigInteger, nullable=False),
    Column("database_id", BigInteger, nullable=False),
    Column("field_id", BigInteger, nullable=False),
    Column("row_id", BigInteger, nullable=False),
    Column("target_row_id", BigInteger, nullable=False),
    Column("position", Integer, nullable=False),
)

# --- row history (nocodedb/services/row_history.py, migration 0008) ---
row_history = Table(
    "row_history",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("table_id", BigInteger, nullable=False),
    Column("row_id", BigInteger, nullable=False),
    Column("user_id", BigInteger),
    Column("actor_kind", Text, nullable=False),
    Column("actor_name", Text),
    Column("action", Text, nullable=False),
    Column("before", JSONB, nullable=False),
    Column("after", JSONB, nullable=False),
    Column("field_ids", JSONB, nullable=False),
    _ts("created_at"),
)

# --- undo and redo (nocodedb/services/undo.py, migration 0009) ---
undo_actions = Table(
    "undo_actions",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("client_session_id", Text, nullable=False),
    Column("action_group", Text),
    Column("workspace_id", BigInteger),
    Column("database_id", BigInteger),
    Column("table_id", BigInteger),
    Column("view_id", BigInteger),
    Column("action_type", Text, nullable=False),
    Column("params", JSONB, nullable=False),
    _ts("created_at"),
    _ts("undone_at"),
    Column("error", Text),
)
