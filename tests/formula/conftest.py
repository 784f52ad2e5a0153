"""Fixtures for the formula tests: the ncdb_f_* helpers installed on the test database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import formula


@pytest.fixture(scope="session")
async def formula_engine(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as conn:
        for statement in formula.SUPPORT_SQL:
            await conn.execute(text(statement))
    return engine


@pytest.fixture
async def conn(formula_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with formula_engine.connect() as connection:
        yield connection
        await connection.rollback()
