"""Shared fixtures: one real PostgreSQL per test run, a fresh database in it, migrations applied.

NOCODEDB_TEST_DATABASE_URL (a libpq URL to a server where we may create databases) is used when set;
otherwise an embedded PostgreSQL is started for the run.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from nocodedb.db.engine import make_engine, with_database
from nocodedb.db.migrate import migrate


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    url = os.environ.get("NOCODEDB_TEST_DATABASE_URL")
    if url:
        yield url
        return
    from nocodedb.db.embedded import start_embedded

    with tempfile.TemporaryDirectory(prefix="nocodedb-test-") as tmp:
        yield start_embedded(Path(tmp))


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A database of its own for this run, so that parallel runs never meet."""
    name = f"nocodedb_test_{os.getpid()}_{secrets.token_hex(3)}"

    async def create() -> None:
        conn = await asyncpg.connect(with_database(server_url, "postgres"))
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(with_database(server_url, "postgres"))
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(create())
    yield with_database(server_url, name)
    asyncio.run(drop())


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url, pool_size=5)
    await migrate(eng)
    yield eng
    await eng.dispose()


# --- the application -------------------------------------------------------------------------------

from dataclasses import replace  # noqa: E402

import httpx  # noqa: E402

from nocodedb.app import create_app  # noqa: E402
from nocodedb.settings import Settings  # noqa: E402
from tests.factories import Api, signed_up  # noqa: E402


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return replace(Settings(), database_url=database_url)


@pytest.fixture(scope="session")
async def app(settings: Settings, engine: AsyncEngine):  # type: ignore[no-untyped-def]
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def api(client: httpx.AsyncClient) -> Api:
    """A signed-up user with a workspace and a database, ready to make tables."""
    return await signed_up(client)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in this thread from the first
    browser test on, and the async tests cannot start their own after that."""
    items.sort(key=lambda item: "ui" in item.path.relative_to(config.rootpath).parts[:2])
