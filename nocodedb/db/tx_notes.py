"""Notes a service leaves on its connection for the current transaction only.

A note is bound to the transaction it was made in: after a rollback (or on the next checkout of the
connection from the pool) the old note is not that transaction's, so it is neither extended nor taken.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")


def _current(conn: AsyncConnection) -> object | None:
    return conn.sync_connection.get_transaction() if conn.sync_connection is not None else None


def note(conn: AsyncConnection, key: str, make: Callable[[], T]) -> T:
    """This transaction's note under `key`, made with `make()` the first time."""
    tx = _current(conn)
    held = conn.info.get(key)
    if held is None or held[0] is not tx:
        held = (tx, make())
        conn.info[key] = held
    value: T = held[1]
    return value


def take(conn: AsyncConnection, key: str) -> Any | None:
    """This transaction's note under `key` (then forgotten), or None."""
    held = conn.info.pop(key, None)
    if held is None or held[0] is not _current(conn):
        return None
    return held[1]
