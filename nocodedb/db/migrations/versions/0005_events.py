"""Change events: the outbox (ids only, read by live updates), webhooks, their queued deliveries and calls.

Revision ID: 0005
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DDL = """
-- One row per change event, written in the same transaction as the change. Payloads hold ids only.
-- txid groups the events of one transaction: the NOTIFY names the transaction's first outbox id.
CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    txid bigint NOT NULL DEFAULT txid_current(),
    database_id bigint,
    table_id bigint,
    event_type text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    actor_user_id bigint,
    actor_token_id bigint,
    client_id text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_txid ON outbox (txid);
CREATE INDEX outbox_created_at ON outbox (created_at);

CREATE TABLE webhooks (
    id bigserial PRIMARY KEY,
    table_id bigint NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
    database_id bigint NOT NULL,
    name text NOT NULL DEFAULT '',
    url text NOT NULL,
    request_method text NOT NULL DEFAULT 'POST',
    headers jsonb NOT NULL DEFAULT '{}',
    include_all_events boolean NOT NULL DEFAULT true,
    events jsonb NOT NULL DEFAULT '[]',
    events_config jsonb NOT NULL DEFAULT '[]',
    use_user_field_names boolean NOT NULL DEFAULT true,
    active boolean NOT NULL DEFAULT true,
    secret text NOT NULL,
    failed_triggers integer NOT NULL DEFAULT 0,
    last_error text,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_table ON webhooks (table_id);

-- The durable queue: one row per (webhook, event), its body built in the change's transaction.
CREATE TABLE webhook_deliveries (
    id bigserial PRIMARY KEY,
    webhook_id bigint NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    outbox_id bigint,
    event_id text NOT NULL,
    event_type text NOT NULL,
    body jsonb NOT NULL,
    state text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id);

-- The last calls of each webhook (request and response), for its answer.
CREATE TABLE webhook_calls (
    id bigserial PRIMARY KEY,
    webhook_id bigint NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    delivery_id bigint,
    event_id text,
    event_type text,
    called_url text,
    called_at timestamptz NOT NULL DEFAULT now(),
    request text,
    response text,
    response_status integer,
    error text
);
CREATE INDEX webhook_calls_webhook ON webhook_calls (webhook_id, id);
"""


def upgrade() -> None:
    # One statement at a time: asyncpg prepares each statement and refuses several at once.
    for statement in DDL.split(";\n"):
        body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
        if body:
            op.execute(body)


def downgrade() -> None:
    raise RuntimeError("nocodedb migrations only add; restore a backup to go back")
