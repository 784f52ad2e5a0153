"""Instance settings, read from the environment (and CLI flags, which set the environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = Path("nocodedb-data")
    access_token_minutes: int = 10
    refresh_token_days: int = 7
    max_body_bytes: int = 10 * 1024 * 1024
    batch_limit: int = 200
    login_failures_allowed: int = 5
    login_failure_window_seconds: int = 300
    large_table_rows: int = 10_000
    public_url: str = "http://127.0.0.1:8000"
    max_import_bytes: int = 50 * 1024 * 1024
    max_template_bytes: int = 20 * 1024 * 1024
    # --- events, webhooks, live updates (nocodedb/events/) ---
    webhook_allowed_hosts: str = ""  # host, host:port or CIDR, comma-separated: reachable despite the SSRF guard
    webhook_timeout_seconds: float = 10.0
    webhook_max_attempts: int = 8  # attempts per delivery before it is given up
    webhook_max_failures: int = 8  # failed calls in a row before the webhook is switched off
    webhook_backoff_seconds: float = 5.0  # first retry delay, doubled at each attempt
    webhook_calls_kept: int = 10
    events_poll_seconds: float = 2.0  # the webhook worker's poll, besides NOTIFY wake-ups
    events_keep_hours: int = 24  # outbox rows older than this are deleted
    row_history_days: int = 180  # row history entries older than this are purged (hourly)
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            data_dir=Path(os.environ.get("NOCODEDB_DATA_DIR", "nocodedb-data")),
            access_token_minutes=_env_int("NOCODEDB_ACCESS_TOKEN_MINUTES", 10),
            refresh_token_days=_env_int("NOCODEDB_REFRESH_TOKEN_DAYS", 7),
            max_body_bytes=_env_int("NOCODEDB_MAX_BODY_BYTES", 10 * 1024 * 1024),
            large_table_rows=_env_int("NOCODEDB_LARGE_TABLE_ROWS", 10_000),
            public_url=os.environ.get("NOCODEDB_PUBLIC_URL", "http://127.0.0.1:8000"),
            webhook_allowed_hosts=os.environ.get("NOCODEDB_WEBHOOK_ALLOWED_HOSTS", ""),
            max_import_bytes=_env_int("NOCODEDB_MAX_IMPORT_BYTES", 50 * 1024 * 1024),
            max_template_bytes=_env_int("NOCODEDB_MAX_TEMPLATE_BYTES", 20 * 1024 * 1024),
            row_history_days=_env_int("NOCODEDB_ROW_HISTORY_DAYS", 180),
        )
