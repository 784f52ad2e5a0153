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
        )
