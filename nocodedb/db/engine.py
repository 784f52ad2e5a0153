"""Creating the async SQLAlchemy engine and the database itself."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def async_url(url: str) -> str:
    """Turn a libpq-style URL (postgresql://...) into SQLAlchemy's asyncpg form."""
    parts = urlsplit(url)
    scheme = "postgresql+asyncpg"
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=10,
        pool_pre_ping=False,
        json_serializer=lambda v: orjson.dumps(v).decode(),
        json_deserializer=orjson.loads,
        # The recompute statements' correlated subqueries look costly to the planner, which then spends
        # most of their time JIT-compiling them (968 of 1,452 ms measured in bench/computed.py).
        connect_args={"server_settings": {"jit": "off"}},
    )
    return engine


async def create_database_if_missing(url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(with_database(url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
